// `npm start`: the whole system on the embedded default, end to end. Starts
// the embedder and the search service (embedded PGlite unless DATABASE_URL is
// set), loads a multilingual demo corpus, searches in every mode and by meaning
// in five languages, then stops the embedder and searches again.
//
// Which model (the first that exists):
//   1. MODEL_DIR;
//   2. the real multilingual-e5-small beside the checkout (../shared/models/…,
//      or POLYSEARCH_REAL_MODEL_DIR), as CI has it;
//   3. models/multilingual-e5-small, as `npm run model:download` (or 4.) leaves it;
//   4. on a machine that reaches Hugging Face (HF_ENDPOINT for a mirror): a
//      one-time download of e5-small into models/multilingual-e5-small, pinned by
//      revision and sha256, with progress (`npm start -- --no-download` or
//      POLYSEARCH_NO_DOWNLOAD=1 skips it);
//   5. a generated fixture model with random weights — it runs everything, but
//      its results mean nothing, and the demo says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_MODEL_PROFILE, realModelDir, ROOT_DIR } from '../shared/paths.js';
import { PolysearchSearchClient } from '../shared/client/index.js';
import { SearchMode, type SearchResponse } from '../shared/generated/polysearch/search/v1/search.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../test/support/service-process.js';
import { DEMO_TENANT, demoCorpus, MEANING_CHECKS } from './demo-corpus.js';
import { CATALOG, downloadEntry } from './download-model.js';
import { generateFixtureModel } from './model-fixture/generate.js';

const say = (line = '') => console.log(line);
const modeName = (m: SearchMode) => SearchMode[m].replace('SEARCH_MODE_', '').toLowerCase();

interface ModelChoice {
  dir: string;
  /** Where it came from, for the header. */
  source: string;
  /** Random weights: results carry no meaning. */
  fixture: boolean;
  /** Extra embedder env (the shared real model has no polysearch.json). */
  env: Record<string, string>;
}

const DOWNLOAD_MODEL = 'multilingual-e5-small';
const DOWNLOAD_DIR = join(ROOT_DIR, 'models', DOWNLOAD_MODEL);

function isFixtureDir(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'polysearch.json'), 'utf8')) as { fixture?: boolean }).fixture === true;
  } catch {
    return false;
  }
}

/** download-model.ts writes polysearch.json last, after every file's digest matched. */
function isCompleteDownload(dir: string): boolean {
  return existsSync(join(dir, 'polysearch.json')) && existsSync(join(dir, 'tokenizer.json')) && existsSync(join(dir, 'onnx', 'model_quantized.onnx'));
}

async function chooseModel(): Promise<ModelChoice> {
  if (process.env.MODEL_DIR) {
    const dir = process.env.MODEL_DIR;
    return { dir, source: 'MODEL_DIR', fixture: isFixtureDir(dir), env: {} };
  }
  const shared = realModelDir();
  if (shared) return { dir: shared, source: 'the real model beside the checkout', fixture: false, env: { MODEL_PROFILE: REAL_MODEL_PROFILE } };
  if (isCompleteDownload(DOWNLOAD_DIR)) return { dir: DOWNLOAD_DIR, source: 'downloaded earlier', fixture: false, env: {} };
  const skip = process.argv.includes('--no-download') || process.env.POLYSEARCH_NO_DOWNLOAD === '1';
  if (!skip && (await tryDownload())) return { dir: DOWNLOAD_DIR, source: 'downloaded now', fixture: false, env: {} };
  const dir = join(ROOT_DIR, '.cache', 'models', 'demo-tiny');
  if (!existsSync(join(dir, 'polysearch.json'))) {
    say('Generating the tiny fixture model (once)…');
    await generateFixtureModel({ out: dir, size: 'tiny' });
  }
  return { dir, source: 'generated fixture', fixture: true, env: {} };
}

/** One-time download of the real e5-small when Hugging Face answers within a few seconds; false otherwise. */
async function tryDownload(): Promise<boolean> {
  const entry = CATALOG[DOWNLOAD_MODEL];
  const baseUrl = (process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  try {
    const probe = await fetch(`${baseUrl}/${entry.repo}/resolve/${entry.revision}/config.json`, { method: 'HEAD', signal: AbortSignal.timeout(4000) });
    if (!probe.ok) throw new Error(`HTTP ${probe.status}`);
  } catch (err) {
    say(`No real model found, and ${baseUrl} is not reachable (${err instanceof Error ? err.message : String(err)}): no download.`);
    return false;
  }
  say(`No real model found: downloading ${entry.repo} (about 135 MB, once) into ${DOWNLOAD_DIR}`);
  say('  (pinned revision and sha256; Ctrl-C and `npm start -- --no-download` to skip)');
  try {
    await downloadEntry(entry, { model: DOWNLOAD_MODEL, out: DOWNLOAD_DIR, baseUrl, sha256Overrides: {}, trustOnFirstUse: false }, (line) => say(`  ${line}`), progressFetch);
    return true;
  } catch (err) {
    say(`  download failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** fetch whose response body reports progress every ~10% (or 10 MB when the size is unknown) of files over 4 MB. */
const progressFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  if (!res.ok || !res.body) return res;
  const total = Number(res.headers.get('content-length')) || 0;
  // Small files (config, tokenizer config) arrive at once; only the tokenizer and the weights take a while.
  if (total > 0 && total < 4 * 2 ** 20) return res;
  const name = decodeURIComponent(new URL(res.url || String(input)).pathname.split('/').pop() ?? '');
  const step = total > 0 ? Math.max(1, Math.floor(total / 10)) : 10 * 2 ** 20;
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  let seen = 0;
  let next = step;
  const counted = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen >= next) {
          say(`    ${name}: ${mb(seen)}${total ? ` / ${mb(total)} MB (${Math.round((100 * seen) / total)}%)` : ' MB'}`);
          next += step;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
};

function printResults(title: string, res: SearchResponse): void {
  const flags = [`mode used: ${modeName(res.modeUsed)}`, res.cacheHit ? 'query vector from cache' : '', `${res.tookMs.toFixed(1)} ms`].filter(Boolean);
  say(`  ${title}`);
  say(`    ${flags.join(' · ')}`);
  if (res.degraded) say(`    DEGRADED: ${res.degradedReason}`);
  if (res.hits.length === 0) say('    (no hits)');
  res.hits.forEach((h, i) => {
    const snippet = h.snippet.length > 70 ? `${h.snippet.slice(0, 67)}…` : h.snippet;
    say(`    ${i + 1}. ${h.id} · ${h.title} — score ${h.score.toFixed(3)} (semantic ${h.semanticScore.toFixed(3)}, keyword ${h.keywordScore.toFixed(3)})`);
    say(`       ${snippet}`);
  });
}

async function main(): Promise<void> {
  const model = await chooseModel();
  say('polysearch demo');
  say(`  model:    ${model.dir} (${model.fixture ? 'GENERATED FIXTURE, random weights' : model.source})`);
  say(`  database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite, in memory'}`);
  if (model.fixture) {
    say('');
    say('  NOTE: no real model was found, so this runs on a generated fixture model with random weights.');
    say('  Its vectors carry no meaning: every semantic and hybrid result below is noise (at best it');
    say('  reflects shared words). For real multilingual search, run `npm start` once on a machine with');
    say('  internet (it downloads multilingual-e5-small into models/), or on such a machine:');
    say('    npm run model:download -- --model multilingual-e5-small --out models/multilingual-e5-small');
    say('  or point MODEL_DIR at a model directory.');
  }
  say('');

  const quiet = { LOG_LEVEL: 'info' };
  let embedder: ServiceProcess | undefined;
  let search: ServiceProcess | undefined;
  try {
    embedder = await startServiceProcess(
      'services/embedder/src/main.ts',
      { ...quiet, ...model.env, MODEL_DIR: model.dir, EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_HOST: '127.0.0.1', EMBEDDER_HTTP_PORT: '0' },
      'embedder listening',
      120_000,
    );
    const embedderHttp = embedder.listening.httpPort as number;
    await waitFor(async () => (await httpStatus(embedderHttp, '/readyz')) === 200, 180_000);
    search = await startServiceProcess(
      'services/search/src/main.ts',
      {
        ...quiet,
        EMBEDDER_ADDRESSES: `127.0.0.1:${embedder.listening.grpcPort}`,
        // The demo starts both services and loads a corpus on the same machine at once; a first
        // query embedding slower than the production 300 ms must not turn the examples into keyword answers.
        EMBEDDER_QUERY_TIMEOUT_MS: '3000',
        SEARCH_GRPC_HOST: '127.0.0.1',
        SEARCH_GRPC_PORT: '0',
        SEARCH_HTTP_HOST: '127.0.0.1',
        SEARCH_HTTP_PORT: '0',
        SEARCH_API_HOST: '127.0.0.1',
        SEARCH_API_PORT: '0',
        SEARCH_DB_SCHEMA: process.env.DATABASE_URL ? `demo_${process.pid}` : 'polysearch',
      },
      'search listening',
    );
    say(`embedder on 127.0.0.1:${embedder.listening.grpcPort} (probes :${embedderHttp}), search on 127.0.0.1:${search.listening.grpcPort} (probes :${search.listening.httpPort})`);
    // The typed client internal callers use (shared/client): deadlines, retries on UNAVAILABLE/RESOURCE_EXHAUSTED.
    const client = new PolysearchSearchClient({ address: `127.0.0.1:${search.listening.grpcPort as number}`, defaultDeadlineMs: 30_000 });

    const up = await client.upsert(demoCorpus);
    say(`Upserted ${demoCorpus.length} documents in en, de, fr, it, es: ${up.inserted} inserted, ${up.pending} pending`);
    say('');

    const examples: [SearchMode, string, string][] = [
      [SearchMode.SEARCH_MODE_HYBRID, 'reset password link', ''],
      [SearchMode.SEARCH_MODE_SEMANTIC, 'Rechnung per E-Mail', ''],
      [SearchMode.SEARCH_MODE_KEYWORD, 'livraison jours', 'fr'],
      [SearchMode.SEARCH_MODE_HYBRID, 'restituire articolo', 'it'],
      [SearchMode.SEARCH_MODE_SEMANTIC, 'horario de atención', ''],
    ];
    for (const [mode, query, locale] of examples) {
      const res = await client.search({ tenantId: DEMO_TENANT, query, locale, mode, limit: 3 });
      printResults(`${modeName(mode)} search for "${query}"${locale ? ` (locale ${locale})` : ''}`, res);
      say('');
    }

    say('By meaning: the same need in five languages, worded unlike the page that answers it.');
    for (const check of MEANING_CHECKS) {
      const res = await client.search({ tenantId: DEMO_TENANT, query: check.query, mode: SearchMode.SEARCH_MODE_SEMANTIC, limit: 3 });
      printResults(`semantic search for "${check.query}" [${check.lang}]`, res);
      say('');
    }

    say('Stopping the embedder: search keeps answering by keyword and says so.');
    await embedder.stop();
    embedder = undefined;
    const down = await client.search({ tenantId: DEMO_TENANT, query: 'protect personal data', mode: SearchMode.SEARCH_MODE_HYBRID, limit: 3 });
    printResults('hybrid search for "protect personal data" while the embedder is down', down);
    const cached = await client.search({ tenantId: DEMO_TENANT, query: 'reset password link', mode: SearchMode.SEARCH_MODE_HYBRID, limit: 3 });
    say('');
    printResults('hybrid search for "reset password link" again (its vector is cached)', cached);
    say('');
    if (model.fixture) say('Reminder: these results came from a fixture model with random weights; they mean nothing.');
    say('Done. Start the services yourself with `npm run embedder` and `npm run search` (see README).');
    client.close();
    if (!down.degraded || cached.degraded) throw new Error('demo expectation failed: degraded mode did not behave as described');
  } finally {
    await search?.stop();
    await embedder?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
