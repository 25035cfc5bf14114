import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'polysearch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('polysearch exit codes without a service', () => {
  it.each([
    [[], /Usage:/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['search', 'q'], /--tenant is required/],
    [['search', '--tenant', 't'], /search takes one "QUERY"/],
    [['search', 'q', '--tenant', 't', '--mode', 'fuzzy'], /--mode is hybrid, semantic or keyword/],
    [['search', 'q', '--tenant', 't', '--limit', '0'], /--limit must be a whole number from 1 to 100/],
    [['search', 'q', '--tenant', 't', '--colour'], /Unknown option '--colour'/],
    [['ingest', 'corpus.txt', '--tenant', 't'], /cannot tell the format of corpus.txt/],
    [['ingest', 'a.jsonl'], /--tenant is required/],
    [['stats', '--tls-cert', 'c.pem'], /need --tls-ca/],
  ])('%j → 2 (usage)', async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(EXIT.usage);
    expect(stdout + stderr).toMatch(message);
  });

  it('--help → 0', async () => {
    expect(await run('--help')).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining('Exit codes:') });
  });

  it('a file that cannot be read → 3', async () => {
    const { code, stderr } = await run('ingest', join(dir, 'missing.jsonl'), '--tenant', 't', '--address', '127.0.0.1:1');
    expect(code).toBe(EXIT.input);
    expect(stderr).toMatch(/cannot read .*missing\.jsonl/);
  });

  it('invalid lines → 3, each as FILE:LINE, before anything is sent (no service needed)', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","content":"ok"}\n{"id":"b","content":1}\n\n{"id":"a","content":"again"}\n');
    const { code, stderr } = await run('ingest', file, '--tenant', 't', '--address', '127.0.0.1:1');
    expect(code).toBe(EXIT.input);
    expect(stderr).toContain(`${file}:2: content must be a string`);
    expect(stderr).toContain(`${file}:4: id "a" is already on line 1`);
    expect(stderr).toMatch(/2 invalid lines .* nothing was sent/);
  });

  it('a checkpoint that cannot be written → 2, before anything is sent', async () => {
    const file = join(dir, 'fine.jsonl');
    writeFileSync(file, '{"id":"a","content":"ok"}\n');
    const { code, stderr } = await run('ingest', file, '--tenant', 't', '--address', '127.0.0.1:1', '--checkpoint', join(dir, 'no-such-dir', 'cp.json'));
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/cannot write the checkpoint .*--checkpoint PATH/);
  });

  it('no service at the address → 4, for every command', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, '{"id":"a","content":"ok"}\n');
    for (const argv of [['stats'], ['search', 'q', '--tenant', 't'], ['ingest', file, '--tenant', 't']]) {
      const { code, stderr } = await run(...argv, '--address', address);
      expect(code, argv[0]).toBe(EXIT.unavailable);
      expect(stderr).toMatch(new RegExp(`search service at ${address} is unavailable \\(UNAVAILABLE`));
    }
  });
});
