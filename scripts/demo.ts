// `npm start`: the whole system on the embedded default, end to end. Starts
// the embedder (fixture model unless MODEL_DIR is set) and the search service
// (embedded PGlite unless DATABASE_URL is set), loads a multilingual demo
// corpus, searches in every mode, then stops the embedder and searches again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../shared/paths.js';
import type { SearchResponse } from '../shared/generated/polysearch/search/v1/search.js';
import { searchClient, SearchMode } from '../test/support/search-client.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../test/support/service-process.js';
import { DEMO_TENANT, demoCorpus } from './demo-corpus.js';
import { generateFixtureModel } from './model-fixture/generate.js';

const say = (line = '') => console.log(line);
const modeName = (m: SearchMode) => SearchMode[m].replace('SEARCH_MODE_', '').toLowerCase();

async function modelDirectory(): Promise<{ dir: string; fixture: boolean }> {
  if (process.env.MODEL_DIR) return { dir: process.env.MODEL_DIR, fixture: false };
  const dir = join(ROOT_DIR, '.cache', 'models', 'demo-tiny');
  if (!existsSync(join(dir, 'polysearch.json'))) {
    say('Generating the tiny fixture model (once)…');
    await generateFixtureModel({ out: dir, size: 'tiny' });
  }
  return { dir, fixture: true };
}

function printResults(title: string, res: SearchResponse): void {
  const flags = [`mode used: ${modeName(res.modeUsed)}`, res.cacheHit ? 'query vector from cache' : '', `${res.tookMs.toFixed(1)} ms`].filter(Boolean);
  say(`  ${title}`);
  say(`    ${flags.join(' · ')}`);
  if (res.degraded) say(`    DEGRADED: ${res.degradedReason}`);
  if (res.hits.length === 0) say('    (no hits)');
  res.hits.forEach((h, i) => {
    const snippet = h.snippet.length > 70 ? `${h.snippet.slice(0, 67)}…` : h.snippet;
    say(`    ${i + 1}. [${h.locale}] ${h.title} — score ${h.score.toFixed(3)} (semantic ${h.semanticScore.toFixed(3)}, keyword ${h.keywordScore.toFixed(3)})`);
    say(`       ${snippet}`);
  });
}

async function main(): Promise<void> {
  const { dir, fixture } = await modelDirectory();
  const dims = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { hidden_size: number }).hidden_size;
  say('polysearch demo');
  say(`  model:    ${dir}${fixture ? ' (GENERATED FIXTURE)' : ''}`);
  say(`  database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite, in memory'}`);
  if (fixture) {
    say('');
    say('  NOTE: this is a generated fixture model with random weights. Its vectors carry no meaning,');
    say('  so semantic scores below only reflect shared words. For real multilingual search, on a machine');
    say('  with internet: npm run model:download -- --model multilingual-e5-small --out models/multilingual-e5-small');
    say('  then: MODEL_DIR=models/multilingual-e5-small npm start');
  }
  say('');

  const quiet = { LOG_LEVEL: 'info' };
  let embedder: ServiceProcess | undefined;
  let search: ServiceProcess | undefined;
  try {
    embedder = await startServiceProcess(
      'services/embedder/src/main.ts',
      { ...quiet, MODEL_DIR: dir, EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_HOST: '127.0.0.1', EMBEDDER_HTTP_PORT: '0' },
      'embedder listening',
    );
    const embedderHttp = embedder.listening.httpPort as number;
    await waitFor(async () => (await httpStatus(embedderHttp, '/readyz')) === 200, 120_000);
    search = await startServiceProcess(
      'services/search/src/main.ts',
      {
        ...quiet,
        EMBEDDER_ADDRESSES: `127.0.0.1:${embedder.listening.grpcPort}`,
        EMBEDDING_DIMENSIONS: String(dims),
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
    const client = searchClient(search.listening.grpcPort as number);

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

    say('Stopping the embedder: search keeps answering by keyword and says so.');
    await embedder.stop();
    embedder = undefined;
    const down = await client.search({ tenantId: DEMO_TENANT, query: 'protect personal data', mode: SearchMode.SEARCH_MODE_HYBRID, limit: 3 });
    printResults('hybrid search for "protect personal data" while the embedder is down', down);
    const cached = await client.search({ tenantId: DEMO_TENANT, query: 'reset password link', mode: SearchMode.SEARCH_MODE_HYBRID, limit: 3 });
    say('');
    printResults('hybrid search for "reset password link" again (its vector is cached)', cached);
    say('');
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
