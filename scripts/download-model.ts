/**
 * Fetches a published multilingual-e5 ONNX export, pinned by repository
 * revision and per-file sha256, into a model directory the embedder loads
 * (MODEL_DIR). Run it on a machine with internet access (or inside the image
 * build); the embedder itself never touches the network.
 *
 *   node --import tsx scripts/download-model.ts --model multilingual-e5-small --out models/multilingual-e5-small
 *
 * A file whose digest is not pinned below (null) is refused unless the caller
 * supplies one (--sha256-of-file PATH=HEX) or accepts trust on first use
 * (--trust-on-first-use), which prints the digest so it can be pinned here.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pathToFileURL } from 'node:url';

export interface PinnedFile {
  /** Path inside the Hugging Face repository; the same path is used under --out. */
  path: string;
  /** Lower-case hex sha256, or null where no published digest could be confirmed. */
  sha256: string | null;
  /** Bytes, when known: a cheap early check before hashing. */
  size?: number;
}

export interface CatalogEntry {
  /** Model family reported by the embedder (polysearch.json "model_id"). */
  modelId: string;
  profile: 'e5' | 'e5-instruct';
  /** Vector width the model emits: search's EMBEDDING_DIMENSIONS must equal it. */
  dimensions: number;
  /** Hugging Face repository holding the ONNX export. */
  repo: string;
  /** Full commit id: a branch name could move under the pins. */
  revision: string;
  files: PinnedFile[];
}

/*
 * Revisions and digests were taken from public manifests that pin these
 * exports (several independent ones agree on each small/base digest and on
 * the large ONNX digest). Nothing here was guessed: where no digest could be
 * confirmed the entry says null, and the script refuses it by default.
 */
export const CATALOG: Record<string, CatalogEntry> = {
  'multilingual-e5-small': {
    modelId: 'intfloat/multilingual-e5-small',
    profile: 'e5',
    dimensions: 384,
    repo: 'Xenova/multilingual-e5-small',
    revision: '761b726dd34fb83930e26aab4e9ac3899aa1fa78',
    files: [
      { path: 'config.json', sha256: 'cb99455288675345e1a4f411438d5d0adbba5fbd3a67ea4fb03c015433b996c1', size: 658 },
      { path: 'tokenizer.json', sha256: '0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39', size: 17_082_730 },
      { path: 'tokenizer_config.json', sha256: 'a1d6bc8734a6f635dc158508bef000f8e2e5a759c7d92f984b2c86e5ff53425b' },
      {
        path: 'onnx/model_quantized.onnx',
        sha256: 'f80102d3f2a1229f387d3c81909990d8945513e347b0eab049f7de3c6f98c193',
        size: 118_308_185,
      },
    ],
  },
  'multilingual-e5-base': {
    modelId: 'intfloat/multilingual-e5-base',
    profile: 'e5',
    dimensions: 768,
    repo: 'Xenova/multilingual-e5-base',
    revision: '1ec9243030a27d1a115d5c340572074c125b58b2',
    files: [
      { path: 'config.json', sha256: '4c27930e59106027abab56f7531c1fa6b14bbf31e8229ec36d68affa4e869bcd', size: 686 },
      { path: 'tokenizer.json', sha256: '62c24cdc13d4c9952d63718d6c9fa4c287974249e16b7ade6d5a85e7bbb75626', size: 17_082_660 },
      { path: 'tokenizer_config.json', sha256: 'efb5c0d09722e5fe59a462cd2a9976ee216d55b037597d997cd3fe833216da15', size: 418 },
      {
        path: 'onnx/model_quantized.onnx',
        sha256: 'df7a9a29309e3ad491e1783adf8baee710262cc06079c7cbab63c630277fac94',
        size: 278_647_662,
      },
    ],
  },
  'multilingual-e5-large': {
    modelId: 'intfloat/multilingual-e5-large',
    profile: 'e5',
    dimensions: 1024,
    repo: 'Xenova/multilingual-e5-large',
    revision: '00fc3aeb3dbb95842de2ac1961d33c6319acf57b',
    files: [
      { path: 'config.json', sha256: null },
      { path: 'tokenizer.json', sha256: null },
      { path: 'tokenizer_config.json', sha256: null },
      {
        path: 'onnx/model_quantized.onnx',
        sha256: '0a8d65db9a36f810ba5da15249f13145fcdc7890e6656f1fd38cd8b7c4db1fca',
        size: 561_768_762,
      },
    ],
  },
  // No int8 export of the instruct model was found; this is intfloat's own
  // fp32 ONNX (graph plus external weights, about 2.2 GB), and no digest of
  // any of its files could be confirmed.
  'multilingual-e5-large-instruct': {
    modelId: 'intfloat/multilingual-e5-large-instruct',
    profile: 'e5-instruct',
    dimensions: 1024,
    repo: 'intfloat/multilingual-e5-large-instruct',
    revision: 'baa7be480a7de1539afce709c8f13f833a510e0a',
    files: [
      { path: 'config.json', sha256: null },
      { path: 'tokenizer.json', sha256: null },
      { path: 'tokenizer_config.json', sha256: null },
      { path: 'onnx/model.onnx', sha256: null },
      { path: 'onnx/model.onnx_data', sha256: null },
    ],
  },
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export interface DownloadOptions {
  model: string;
  out: string;
  /** Digests supplied on the command line for files the catalog leaves null. */
  sha256Overrides: Record<string, string>;
  trustOnFirstUse: boolean;
  /** Hugging Face endpoint, or a mirror serving the same /{repo}/resolve/{rev}/{path} layout. */
  baseUrl: string;
}

export const USAGE = `usage: node --import tsx scripts/download-model.ts --model NAME --out DIR
         [--sha256-of-file PATH=HEX]... [--trust-on-first-use] [--base-url URL]
models: ${Object.keys(CATALOG).join(', ')} (or their intfloat/ ids)
--base-url defaults to $HF_ENDPOINT, else https://huggingface.co`;

const HEX64 = /^[0-9a-f]{64}$/;

/** Accepts the catalog key, the intfloat/ id, or the export's repository name. */
export function findModel(name: string): [string, CatalogEntry] {
  for (const [key, entry] of Object.entries(CATALOG)) {
    if (name === key || name === entry.modelId || name === entry.repo) return [key, entry];
  }
  throw new UsageError(`unknown model ${JSON.stringify(name)}; known: ${Object.keys(CATALOG).join(', ')}`);
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DownloadOptions {
  let model: string | undefined;
  let out: string | undefined;
  let baseUrl = env.HF_ENDPOINT || 'https://huggingface.co';
  let trustOnFirstUse = false;
  const sha256Overrides: Record<string, string> = {};
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // Both "--flag value" and "--flag=value".
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case '--model':
        model = take();
        break;
      case '--out':
        out = take();
        break;
      case '--base-url':
        baseUrl = take();
        break;
      case '--trust-on-first-use':
        if (inline !== undefined) throw new UsageError('--trust-on-first-use takes no value');
        trustOnFirstUse = true;
        break;
      case '--sha256-of-file': {
        const spec = take();
        const eq = spec.lastIndexOf('=');
        const path = spec.slice(0, eq);
        const hex = spec.slice(eq + 1).toLowerCase();
        if (eq <= 0 || !HEX64.test(hex)) throw new UsageError(`--sha256-of-file wants PATH=<64 hex digits>, got ${JSON.stringify(spec)}`);
        sha256Overrides[path] = hex;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  if (!model) throw new UsageError(`--model is required\n${USAGE}`);
  if (!out) throw new UsageError(`--out is required\n${USAGE}`);
  if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  return { model, out, baseUrl: baseUrl.replace(/\/+$/, ''), trustOnFirstUse, sha256Overrides };
}

export interface PlannedFile {
  path: string;
  url: string;
  /** null only under --trust-on-first-use. */
  expected: string | null;
  size?: number;
}

/** Decides, before any byte moves, which digest each file must have; refuses unpinned files. */
export function plan(entry: CatalogEntry, options: DownloadOptions): PlannedFile[] {
  const known = new Set(entry.files.map((f) => f.path));
  for (const path of Object.keys(options.sha256Overrides)) {
    if (!known.has(path)) throw new UsageError(`--sha256-of-file names ${path}, which ${entry.repo} does not need`);
  }
  const unpinned: string[] = [];
  const planned = entry.files.map((file) => {
    const override = options.sha256Overrides[file.path];
    if (file.sha256 && override && override !== file.sha256) {
      throw new UsageError(`--sha256-of-file ${file.path} contradicts the pinned digest ${file.sha256}`);
    }
    const expected = file.sha256 ?? override ?? null;
    if (expected === null && !options.trustOnFirstUse) unpinned.push(file.path);
    const url = `${options.baseUrl}/${entry.repo}/resolve/${entry.revision}/${file.path}`;
    return { path: file.path, url, expected, size: file.size };
  });
  if (unpinned.length > 0) {
    throw new IntegrityError(
      `no pinned sha256 for ${unpinned.join(', ')} of ${entry.repo}@${entry.revision}. ` +
        `Pass --sha256-of-file PATH=HEX for each (from a source you trust), or --trust-on-first-use ` +
        `to accept what the server sends and print the digests to pin in scripts/download-model.ts.`,
    );
  }
  return planned;
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(hash.digest('hex')));
  });
}

/**
 * Streams one file to `${dest}.part`, hashing on the way, and renames it into
 * place only when the digest matches: a half-written or substituted file never
 * appears under the name the embedder reads. Returns the digest.
 */
export async function fetchVerified(file: PlannedFile, dest: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const res = await fetchImpl(file.url, { redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`GET ${file.url}: HTTP ${res.status}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream), tap, createWriteStream(part));
    const digest = hash.digest('hex');
    if (file.size !== undefined && bytes !== file.size) {
      throw new IntegrityError(`${file.path}: got ${bytes} bytes, pinned size is ${file.size}`);
    }
    if (file.expected !== null && digest !== file.expected) {
      throw new IntegrityError(`${file.path}: sha256 ${digest} does not match the pinned ${file.expected}; refusing it`);
    }
    await rename(part, dest);
    return digest;
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

export interface DownloadResult {
  dir: string;
  digests: Record<string, string>;
  /** Files accepted without a pin (trust on first use): their digests, to pin. */
  unpinned: string[];
}

export function downloadModel(
  options: DownloadOptions,
  log: (line: string) => void = console.error,
  fetchImpl: typeof fetch = fetch,
): Promise<DownloadResult> {
  return downloadEntry(findModel(options.model)[1], options, log, fetchImpl);
}

export async function downloadEntry(
  entry: CatalogEntry,
  options: DownloadOptions,
  log: (line: string) => void = console.error,
  fetchImpl: typeof fetch = fetch,
): Promise<DownloadResult> {
  const files = plan(entry, options);
  const dir = resolve(options.out);
  const digests: Record<string, string> = {};
  for (const file of files) {
    const dest = join(dir, file.path);
    // Re-runs skip what is already present and intact.
    if (file.expected && existsSync(dest) && (await sha256OfFile(dest)) === file.expected) {
      log(`ok       ${file.path} (already present)`);
      digests[file.path] = file.expected;
      continue;
    }
    log(`fetch    ${file.path}`);
    digests[file.path] = await fetchVerified(file, dest, fetchImpl);
    log(`verified ${file.path} sha256=${digests[file.path]}${file.expected ? '' : ' (NOT PINNED: trusted on first use)'}`);
  }
  const manifest = { model_id: entry.modelId, profile: entry.profile, revision: entry.revision, repo: entry.repo };
  await writeFile(join(dir, 'polysearch.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const unpinned = files.filter((f) => f.expected === null).map((f) => f.path);
  if (unpinned.length > 0) {
    log('pin these in scripts/download-model.ts (or pass them with --sha256-of-file next time):');
    for (const path of unpinned) log(`  --sha256-of-file ${path}=${digests[path]}`);
  }
  return { dir, digests, unpinned };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  try {
    const options = parseArgs(process.argv.slice(2));
    const [, entry] = findModel(options.model);
    const result = await downloadModel(options);
    console.error(`model ready in ${result.dir}: set MODEL_DIR to it, and search's EMBEDDING_DIMENSIONS=${entry.dimensions}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
