import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../shared/paths.js';
import { startEmbedderProcess, startSearchProcess } from '../test/support/search-stack.js';
import { searchClient } from '../test/support/search-client.js';
import type { ServiceProcess } from '../test/support/service-process.js';
import { EXIT } from './exit-codes.js';
import { main } from './main.js';

/**
 * The CLI against a real embedder (tiny fixture model) and a real search
 * process (PGlite, or Postgres in CI). Runs that must be killed, or that
 * check what a terminal-less user sees, spawn the `polysearch` bin; the others
 * call main() in this process (a spawn costs seconds on a busy machine).
 */
type SearchStack = Awaited<ReturnType<typeof startSearchProcess>>;
let embedder: ServiceProcess;
let search: SearchStack;
let address: string;
const dir = mkdtempSync(join(tmpdir(), 'polysearch-cli-process-'));
const BIN = join(ROOT_DIR, 'cli', 'bin', 'polysearch.mjs');

beforeAll(async () => {
  embedder = await startEmbedderProcess(0);
  // A small content limit, so one document of a batch can be refused by the service itself.
  search = await startSearchProcess(embedder.listening.grpcPort as number, { UPSERT_MAX_CONTENT_BYTES: '4000' });
  address = `127.0.0.1:${search.grpcPort}`;
});
afterAll(async () => {
  await search?.stop();
  await embedder?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const progress = args[0] === 'ingest' ? ['--progress-every', '1'] : [];
  const proc = spawn(process.execPath, [BIN, ...args, '--address', address, ...progress], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    // 'close' comes after the process exited and its output ended.
    proc.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, done };
}
/** main() in this process, as the bin runs it (stdout/stderr not terminals). */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const progress = args[0] === 'ingest' ? ['--progress-every', '1'] : [];
  const code = await main([...args, '--address', address, ...progress], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
  });
  return { code, stdout, stderr };
}

function writeJsonl(name: string, count: number, make: (i: number) => object = (i) => ({ id: `doc-${i}`, title: `Document ${i}`, content: `invoice number ${i} sent by email to the customer`, locale: 'en' })) {
  const path = join(dir, name);
  writeFileSync(path, Array.from({ length: count }, (_, i) => JSON.stringify(make(i))).join('\n') + '\n');
  return path;
}

async function documentsOf(tenant: string): Promise<number> {
  const client = searchClient(search.grpcPort);
  try {
    return Number((await client.stats(tenant)).tenants.find((t) => t.tenantId === tenant)?.documents ?? 0);
  } finally {
    client.close();
  }
}

describe('polysearch ingest / search / stats against real services', () => {
  it('ingests JSONL with progress lines; a second run finds every document unchanged and embeds nothing', async () => {
    const file = writeJsonl('corpus.jsonl', 120);
    const first = await run('ingest', file, '--tenant', 'jsonl', '--batch', '16');
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(first.stdout).toMatch(/ingested 120 documents .* 120 sent/);
    expect(first.stdout).toMatch(/inserted 120 · updated 0 · unchanged 0/);
    // Not a terminal: plain progress lines, never carriage returns.
    expect(first.stderr).toMatch(/^120\/120 documents \(100\.0%\) · [\d.]+ docs\/s · pending embeddings \d+ · ETA 0s$/m);
    expect(first.stderr).not.toContain('\r');
    expect(existsSync(`${file}.polysearch-checkpoint.json`)).toBe(false);

    const again = await run('ingest', file, '--tenant', 'jsonl');
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stdout).toMatch(/inserted 0 · updated 0 · unchanged 120/);
    expect(await documentsOf('jsonl')).toBe(120);
  });

  it('ingests CSV: quoted commas and line breaks, metadata columns, --locale for empty cells', async () => {
    const file = join(dir, 'kb.csv');
    writeFileSync(file, 'id,title,content,locale,source_type,metadata.team\r\nkb-1,Passwort,"Öffnen Sie die Einstellungen, dann ""Passwort zurücksetzen"".\r\nSie erhalten eine E-Mail.",de,kb,support\r\nkb-2,Invoice,Invoices are sent monthly,,kb,\r\n');
    const res = await run('ingest', file, '--tenant', 'csv', '--locale', 'en');
    expect(res.code, res.stderr).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/inserted 2/);
    const client = searchClient(search.grpcPort);
    try {
      const one = (await client.get('csv', 'kb-1')).document!.document!;
      expect(one).toMatchObject({ locale: 'de', sourceType: 'kb', title: 'Passwort', metadata: { team: 'support' } });
      expect(one.content).toBe('Öffnen Sie die Einstellungen, dann "Passwort zurücksetzen".\nSie erhalten eine E-Mail.');
      expect((await client.get('csv', 'kb-2')).document!.document).toMatchObject({ locale: 'en', metadata: {} });
    } finally {
      client.close();
    }
  });

  it('killed mid-way, a rerun resumes after the last acknowledged batch and stores every document once', async () => {
    const total = 400;
    const file = writeJsonl('big.jsonl', total, (i) => ({ id: `big-${i}`, content: `passage ${i} about shipping and delivery of order ${i}` }));
    const checkpointPath = `${file}.polysearch-checkpoint.json`;
    const killed = cli(['ingest', file, '--tenant', 'resume', '--batch', '2']);
    let acknowledged = 0;
    for (const until = Date.now() + 60_000; Date.now() < until && acknowledged < 20; await new Promise((r) => setTimeout(r, 20))) {
      try {
        acknowledged = (JSON.parse(readFileSync(checkpointPath, 'utf8')) as { documents: number }).documents;
      } catch {
        // not written yet
      }
    }
    killed.proc.kill('SIGKILL');
    const outcome = await killed.done;
    expect(outcome.signal, 'the ingest must still be running when killed').toBe('SIGKILL');
    const saved = JSON.parse(readFileSync(checkpointPath, 'utf8')) as { documents: number; line: number };
    expect(saved.documents).toBeGreaterThanOrEqual(20);
    expect(saved.documents).toBeLessThan(total);

    // Batches are a matter of the run, not of the checkpoint: resume with bigger ones.
    const resumed = await run('ingest', file, '--tenant', 'resume', '--batch', '50');
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(resumed.stdout).toContain(`resuming after line ${saved.line - 1}: ${saved.documents} of ${total} documents were acknowledged before`);
    expect(resumed.stdout).toContain(`${total - saved.documents} sent`);
    // A batch the service stored just before the kill, but whose checkpoint was not yet written, comes back unchanged.
    const [, inserted, unchanged] = /inserted (\d+) · updated 0 · unchanged (\d+)/.exec(resumed.stdout)!.map(Number);
    expect(inserted + unchanged).toBe(total);
    expect(unchanged).toBeLessThanOrEqual(2);
    expect(await documentsOf('resume')).toBe(total);
    expect(existsSync(checkpointPath)).toBe(false);
  }, 120_000);

  it('Ctrl-C: the batch in flight finishes, the checkpoint is saved, exit 130', async () => {
    const file = writeJsonl('interrupted.jsonl', 300, (i) => ({ id: `int-${i}`, content: `text ${i}` }));
    const checkpointPath = `${file}.polysearch-checkpoint.json`;
    const running = cli(['ingest', file, '--tenant', 'interrupted', '--batch', '2']);
    for (const until = Date.now() + 60_000; Date.now() < until && !existsSync(checkpointPath); ) await new Promise((r) => setTimeout(r, 20));
    running.proc.kill('SIGINT');
    const res = await running.done;
    expect(res.code, res.stderr).toBe(EXIT.interrupted);
    const saved = JSON.parse(readFileSync(checkpointPath, 'utf8')) as { documents: number; line: number };
    expect(res.stderr).toContain(`interrupted: ${saved.documents} of 300 documents are stored; run the same command again to resume after line ${saved.line - 1}`);
    expect(await documentsOf('interrupted')).toBe(saved.documents);
  });

  it('bad lines: exit 3, every one reported as FILE:LINE, nothing sent', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, ['{"id":"a","content":"fine"}', '{"id":"b","content":42}', '', 'not json', '{"id":"c","contents":"typo"}', '{"id":"a","content":"again"}'].join('\n') + '\n');
    const res = await run('ingest', file, '--tenant', 'bad');
    expect(res.code).toBe(EXIT.input);
    expect(res.stderr).toContain(`${file}:2: content must be a string`);
    expect(res.stderr).toContain(`${file}:4: not valid JSON`);
    expect(res.stderr).toContain(`${file}:5: unknown field "contents"`);
    expect(res.stderr).toContain(`${file}:6: id "a" is already on line 1`);
    expect(res.stderr).toMatch(/4 invalid lines in .*; nothing was sent/);
    expect(await documentsOf('bad')).toBe(0);

    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'id,content\nx,fine\ny,"unclosed\n');
    const csvRes = await run('ingest', csv, '--tenant', 'bad');
    expect(csvRes.code).toBe(EXIT.input);
    expect(csvRes.stderr).toContain(`${csv}:3: the quoted field 2 starting on this line is never closed`);
  });

  it('a document the service refuses: exit 3 naming its line; the rest of its batch is stored', async () => {
    const file = writeJsonl('refused.jsonl', 8, (i) => ({ id: `r-${i}`, content: i === 5 ? 'x'.repeat(5_000) : `short text ${i}` }));
    const res = await run('ingest', file, '--tenant', 'refused', '--batch', '8');
    expect(res.code).toBe(EXIT.input);
    expect(res.stderr).toMatch(new RegExp(`${file}:6: refused by the service: .*UPSERT_MAX_CONTENT_BYTES`));
    expect(res.stderr).toMatch(/the service refused 1 document; every other document is stored/);
    expect(await documentsOf('refused')).toBe(7);
  });

  it('search prints a readable table; stats the tenant counts (the bin, as a person runs it)', async () => {
    const res = await cli(['search', 'invoice email', '--tenant', 'jsonl', '--mode', 'keyword', '--limit', '3']).done;
    expect(res.code, res.stderr).toBe(EXIT.ok);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^keyword search in tenant "jsonl" · 3 hits · [\d.]+ ms$/);
    expect(lines[1]).toMatch(/^#\s+score\s+id\s+locale\s+title\s+snippet$/);
    for (const [i, line] of lines.slice(2, 5).entries()) expect(line).toMatch(new RegExp(`^${i + 1}\\s+[\\d.]+\\s+doc-\\d+\\s+en\\s+Document \\d+\\s+invoice number`));
    expect(lines.at(-1)).toMatch(/^more: --page-token \S+$/);

    const stats = await run('stats', '--tenant', 'jsonl');
    expect(stats.code, stats.stderr).toBe(EXIT.ok);
    expect(stats.stdout).toMatch(/^jsonl\s+120\s+120\s+0$/m);
  });
});
