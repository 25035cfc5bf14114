// `promtool check metrics` on what Prometheus would scrape from both services.
//
//   node --import tsx scripts/ci/check-metrics.ts             start embedder + search (tiny fixture
//                                                             model, embedded PGlite), exercise them, check both
//   node --import tsx scripts/ci/check-metrics.ts FILE...     check saved expositions instead
//
// Exits 0 when promtool accepts every exposition, 1 otherwise (its findings are printed).
// The services are exercised first so labelled series and histograms are present, not just their HELP lines.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../shared/paths.js';

const PROMTOOL = process.env.PROMTOOL ?? join(ROOT_DIR, '.cache', 'validators', 'bin', 'promtool');

/** promtool's verdict on one exposition: exit code and what it printed. */
export function promtoolCheck(exposition: string): { ok: boolean; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run promtool (${PROMTOOL}): ${run.error.message}; run bash scripts/ci/install-validators.sh`);
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

async function scrapeLiveServices(outDir: string): Promise<string[]> {
  const { default: globalSetup } = await import('../../test/global-setup.js');
  await globalSetup(); // the tiny fixture model, as the tests use it
  const { startEmbedderProcess, startSearchProcess } = await import('../../test/support/search-stack.js');
  const { httpStatus, waitFor } = await import('../../test/support/service-process.js');
  const { PolysearchEmbedderClient, PolysearchSearchClient, InputType, SearchMode } = await import('../../shared/client/index.js');

  const embedder = await startEmbedderProcess(0);
  const stops: (() => Promise<unknown>)[] = [() => embedder.stop()];
  try {
    const embedderHttp = embedder.listening.httpPort as number;
    await waitFor(async () => (await httpStatus(embedderHttp, '/readyz')) === 200, 120_000);
    const search = await startSearchProcess(embedder.listening.grpcPort as number);
    stops.unshift(() => search.stop());
    const s = new PolysearchSearchClient({ address: `127.0.0.1:${search.grpcPort}` });
    const e = new PolysearchEmbedderClient({ address: `127.0.0.1:${embedder.listening.grpcPort as number}` });
    try {
      await s.upsert([{ tenantId: 'metrics', id: 'a', locale: 'en', title: 'Invoices', content: 'Send the invoice by email.' }]);
      for (const mode of [SearchMode.SEARCH_MODE_HYBRID, SearchMode.SEARCH_MODE_SEMANTIC, SearchMode.SEARCH_MODE_KEYWORD]) {
        await s.search({ tenantId: 'metrics', query: 'invoice email', mode });
      }
      await s.stats('metrics');
      // Failed calls too, so error-labelled series are checked as well.
      await s.search({ tenantId: '', query: 'x' }).catch(() => undefined);
      await e.embed(['x'], InputType.INPUT_TYPE_UNSPECIFIED).catch(() => undefined);
    } finally {
      s.close();
      e.close();
    }
    const files: string[] = [];
    for (const [name, port] of [['embedder', embedderHttp], ['search', search.httpPort]] as const) {
      const file = join(outDir, `${name}.prom`);
      writeFileSync(file, await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      files.push(file);
    }
    return files;
  } finally {
    for (const stop of stops) await stop();
  }
}

async function main(): Promise<number> {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const outDir = join(ROOT_DIR, '.cache', 'validators', 'metrics');
    mkdirSync(outDir, { recursive: true });
    files = await scrapeLiveServices(outDir);
  }
  const version = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  let failed = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const families = text.split('\n').filter((l) => l.startsWith('# TYPE ')).length;
    const { ok, output } = promtoolCheck(text);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${file}: ${families} metric families (${version})`);
    if (output) console.log(output.replace(/^/gm, '     '));
    if (!ok) failed++;
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
