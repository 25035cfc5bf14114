// CI: schemathesis against api/openapi/search.yaml, served by real search
// (embedded PGlite) and embedder (tiny fixture model) processes on loopback.
// Fails on any server error or any answer the document does not describe.
// SCHEMATHESIS_MAX_EXAMPLES (default 100) bounds the run; SCHEMATHESIS_SEED replays one.
import { join } from 'node:path';
import { ROOT_DIR } from '../../shared/paths.js';
import { SEARCH_OPENAPI_PATH } from '../../services/search/src/http/openapi-document.js';
import { httpCall } from '../../test/support/http-api.js';
import setupFixtureModel from '../../test/global-setup.js';
import { startEmbedderProcess, startSearchProcess } from '../../test/support/search-stack.js';
import { runSchemathesis, schemathesisInstalled, SCHEMATHESIS_BIN } from './schemathesis-runner.js';

if (!schemathesisInstalled()) {
  console.error(`schemathesis is not installed at ${SCHEMATHESIS_BIN}: run bash scripts/ci/install-schemathesis.sh`);
  process.exit(1);
}
// The embedded database, whatever the surrounding CI exports.
delete process.env.TEST_DATABASE_URL;
await setupFixtureModel();

const started = Date.now();
const embedder = await startEmbedderProcess(0, { LOG_LEVEL: 'info' });
const search = await startSearchProcess(embedder.listening.grpcPort as number, { LOG_LEVEL: 'info' });
let code: number;
try {
  // The document's examples name tenant "demo" and document "1": let them find something.
  const seeded = await httpCall({
    port: search.apiPort,
    path: '/v1/documents',
    body: {
      documents: [
        { tenant_id: 'demo', id: '1', locale: 'de', title: 'Rechnung', content: 'Die Rechnung kommt per E-Mail.', metadata: { team: 'billing' } },
        { tenant_id: 'demo', id: '2', locale: 'en', title: 'Password', content: 'Reset your password in the account settings.' },
      ],
    },
  });
  if (seeded.status !== 200) throw new Error(`seeding failed: ${seeded.status} ${seeded.text}`);
  console.log(`search API on 127.0.0.1:${search.apiPort} (started in ${Date.now() - started} ms)`);

  const result = await runSchemathesis(
    {
      document: join(ROOT_DIR, SEARCH_OPENAPI_PATH),
      url: `http://127.0.0.1:${search.apiPort}`,
      maxExamples: Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 100),
      seed: process.env.SCHEMATHESIS_SEED,
      workDir: join(ROOT_DIR, '.cache', 'schemathesis', 'work'),
    },
    { echo: true },
  );
  code = result.code;
  // A crash would show as connection errors above; say it plainly too.
  if (search.proc.proc.exitCode !== null) {
    console.error(`search exited during the run (code ${search.proc.proc.exitCode})`);
    code = 1;
  }
} finally {
  await search.stop();
  await embedder.stop();
}
console.log(`schemathesis ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(code);
