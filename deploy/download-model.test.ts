import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOG,
  IntegrityError,
  UsageError,
  downloadEntry,
  findModel,
  parseArgs,
  plan,
  type CatalogEntry,
  type DownloadOptions,
} from '../scripts/download-model.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('download-model argument parsing', () => {
  it('reads the documented flags, in both spaced and = forms', () => {
    const hex = 'a'.repeat(64);
    const opts = parseArgs(
      ['--model', 'multilingual-e5-small', '--out=/m', '--sha256-of-file', `onnx/x.onnx=${hex.toUpperCase()}`, '--trust-on-first-use'],
      {},
    );
    expect(opts).toEqual({
      model: 'multilingual-e5-small',
      out: '/m',
      baseUrl: 'https://huggingface.co',
      trustOnFirstUse: true,
      sha256Overrides: { 'onnx/x.onnx': hex },
    });
  });

  it('takes the endpoint from HF_ENDPOINT, and --base-url over it, without a trailing slash', () => {
    expect(parseArgs(['--model', 'm', '--out', 'o'], { HF_ENDPOINT: 'http://mirror.local/' }).baseUrl).toBe('http://mirror.local');
    expect(parseArgs(['--model', 'm', '--out', 'o', '--base-url', 'https://x/'], { HF_ENDPOINT: 'http://y' }).baseUrl).toBe('https://x');
  });

  it.each([
    [['--out', 'o'], /--model is required/],
    [['--model', 'm'], /--out is required/],
    [['--model'], /needs a value/],
    [['--model', 'm', '--out', 'o', '--frobnicate'], /unknown argument/],
    [['--model', 'm', '--out', 'o', '--sha256-of-file', 'config.json=abc'], /64 hex/],
    [['--model', 'm', '--out', 'o', '--sha256-of-file', `=${'a'.repeat(64)}`], /PATH=/],
    [['--model', 'm', '--out', 'o', '--base-url', 'ftp://x'], /http\(s\)/],
    [['--model', 'm', '--out', 'o', '--trust-on-first-use=yes'], /takes no value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(UsageError);
    expect(() => parseArgs(argv, {})).toThrow(message);
  });

  it('finds a model by catalog key, intfloat id or export repository', () => {
    expect(findModel('multilingual-e5-small')[0]).toBe('multilingual-e5-small');
    expect(findModel('intfloat/multilingual-e5-base')[0]).toBe('multilingual-e5-base');
    expect(findModel('Xenova/multilingual-e5-large')[0]).toBe('multilingual-e5-large');
    expect(() => findModel('bert-base-uncased')).toThrow(UsageError);
  });
});

describe('download-model catalog pins', () => {
  it('pins every entry to a full commit and every known digest to 64 hex digits', () => {
    for (const entry of Object.values(CATALOG)) {
      expect(entry.revision, entry.repo).toMatch(/^[0-9a-f]{40}$/);
      for (const file of entry.files) {
        if (file.sha256 !== null) expect(file.sha256, `${entry.repo} ${file.path}`).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('fully pins the default model the image bakes in, so its build needs no flag', () => {
    const small = CATALOG['multilingual-e5-small'];
    expect(small.files.map((f) => f.path).sort()).toEqual(
      ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    expect(small.files.every((f) => f.sha256 !== null)).toBe(true);
  });

  it('maps the instruct model to the e5-instruct profile and the others to e5', () => {
    expect(CATALOG['multilingual-e5-large-instruct'].profile).toBe('e5-instruct');
    for (const key of ['multilingual-e5-small', 'multilingual-e5-base', 'multilingual-e5-large']) {
      expect(CATALOG[key].profile).toBe('e5');
    }
  });
});

const options = (over: Partial<DownloadOptions> = {}): DownloadOptions => ({
  model: 'fake',
  out: '/unused',
  baseUrl: 'http://127.0.0.1:1',
  trustOnFirstUse: false,
  sha256Overrides: {},
  ...over,
});

describe('download-model planning', () => {
  const entry: CatalogEntry = {
    modelId: 'acme/fake',
    profile: 'e5',
    dimensions: 4,
    repo: 'acme/fake-onnx',
    revision: 'f'.repeat(40),
    files: [
      { path: 'config.json', sha256: sha('config') },
      { path: 'tokenizer.json', sha256: null },
    ],
  };

  it('refuses a file without a pinned digest unless told how to treat it', () => {
    expect(() => plan(entry, options())).toThrow(IntegrityError);
    expect(() => plan(entry, options())).toThrow(/tokenizer\.json/);
    expect(plan(entry, options({ trustOnFirstUse: true }))[1].expected).toBeNull();
    const given = sha('tok');
    expect(plan(entry, options({ sha256Overrides: { 'tokenizer.json': given } }))[1].expected).toBe(given);
  });

  it('never lets a command-line digest replace a pinned one, nor name a file the model lacks', () => {
    expect(() => plan(entry, options({ trustOnFirstUse: true, sha256Overrides: { 'config.json': sha('other') } }))).toThrow(
      /contradicts/,
    );
    expect(() => plan(entry, options({ trustOnFirstUse: true, sha256Overrides: { 'vocab.txt': sha('x') } }))).toThrow(
      /does not need/,
    );
  });

  it('builds resolve URLs at the pinned revision, never at a branch', () => {
    const [first] = plan(entry, options({ trustOnFirstUse: true }));
    expect(first.url).toBe(`http://127.0.0.1:1/acme/fake-onnx/resolve/${'f'.repeat(40)}/config.json`);
  });
});

describe('download-model against a local server', () => {
  const content: Record<string, string> = {
    'config.json': '{"hidden_size":4}',
    'tokenizer.json': '{"model":{}}',
    'onnx/model_quantized.onnx': 'not really onnx',
  };
  const rev = 'c'.repeat(40);
  const hits: string[] = [];
  let server: Server;
  let baseUrl = '';
  const dirs: string[] = [];
  const outDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'polysearch-dl-'));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      hits.push(url);
      // Hugging Face answers resolve URLs with a redirect to its CDN.
      const resolvePrefix = `/acme/fake-onnx/resolve/${rev}/`;
      if (url.startsWith(resolvePrefix)) {
        res.writeHead(302, { location: `/cdn/${url.slice(resolvePrefix.length)}` }).end();
        return;
      }
      const body = url.startsWith('/cdn/') ? content[url.slice('/cdn/'.length)] : undefined;
      if (body === undefined) res.writeHead(404).end('no');
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const entry = (overrides: Record<string, string | null> = {}, sizes: Record<string, number> = {}): CatalogEntry => ({
    modelId: 'acme/fake',
    profile: 'e5-instruct',
    dimensions: 4,
    repo: 'acme/fake-onnx',
    revision: rev,
    files: Object.keys(content).map((path) => ({
      path,
      sha256: path in overrides ? overrides[path] : sha(content[path]),
      size: sizes[path],
    })),
  });
  const quiet = () => {};

  it('downloads, verifies and writes polysearch.json next to the files', async () => {
    const out = outDir();
    const result = await downloadEntry(entry(), options({ out, baseUrl }), quiet);
    for (const [path, body] of Object.entries(content)) {
      expect(readFileSync(join(out, path), 'utf8')).toBe(body);
      expect(result.digests[path]).toBe(sha(body));
    }
    expect(JSON.parse(readFileSync(join(out, 'polysearch.json'), 'utf8'))).toEqual({
      model_id: 'acme/fake',
      profile: 'e5-instruct',
      revision: rev,
      repo: 'acme/fake-onnx',
    });
    expect(result.unpinned).toEqual([]);
  });

  it('refuses a file whose digest differs, leaving neither it nor a partial file behind', async () => {
    const out = outDir();
    const bad = entry({ 'onnx/model_quantized.onnx': sha('the real weights') });
    await expect(downloadEntry(bad, options({ out, baseUrl }), quiet)).rejects.toThrow(IntegrityError);
    expect(existsSync(join(out, 'onnx/model_quantized.onnx'))).toBe(false);
    expect(readdirSync(join(out, 'onnx'))).toEqual([]);
    expect(existsSync(join(out, 'polysearch.json'))).toBe(false);
  });

  it('refuses a file of the wrong size', async () => {
    const out = outDir();
    await expect(downloadEntry(entry({}, { 'config.json': 1 }), options({ out, baseUrl }), quiet)).rejects.toThrow(
      /pinned size/,
    );
  });

  it('fails on an HTTP error instead of writing the error page', async () => {
    const out = outDir();
    const missing: CatalogEntry = { ...entry(), files: [{ path: 'missing.json', sha256: sha('x') }] };
    await expect(downloadEntry(missing, options({ out, baseUrl }), quiet)).rejects.toThrow(/HTTP 404/);
    expect(existsSync(join(out, 'missing.json'))).toBe(false);
  });

  it('under trust on first use, accepts unpinned files and reports their digests to pin', async () => {
    const out = outDir();
    const lines: string[] = [];
    const result = await downloadEntry(
      entry({ 'tokenizer.json': null }),
      options({ out, baseUrl, trustOnFirstUse: true }),
      (l) => lines.push(l),
    );
    expect(result.unpinned).toEqual(['tokenizer.json']);
    expect(lines.join('\n')).toContain(`--sha256-of-file tokenizer.json=${sha(content['tokenizer.json'])}`);
  });

  it('skips files already present with the pinned digest', async () => {
    const out = outDir();
    await downloadEntry(entry(), options({ out, baseUrl }), quiet);
    const before = hits.length;
    await downloadEntry(entry(), options({ out, baseUrl }), quiet);
    expect(hits.length).toBe(before);
  });
});
