import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServiceProcess, type ServiceProcess } from './service-process.js';

/** Loopback env shared by every test process. */
const LOOPBACK = { EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1', SEARCH_GRPC_HOST: '127.0.0.1', SEARCH_HTTP_HOST: '127.0.0.1', SEARCH_API_HOST: '127.0.0.1' };

export function startEmbedderProcess(grpcPort = 0, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess(
    'services/embedder/src/main.ts',
    { ...LOOPBACK, MODEL_DIR: process.env.POLYSEARCH_TINY_MODEL_DIR!, EMBEDDER_GRPC_PORT: String(grpcPort), EMBEDDER_HTTP_PORT: '0', EMBEDDER_INTRA_OP_THREADS: '1', ...env },
    'embedder listening',
  );
}

/**
 * A search process on real Postgres when TEST_DATABASE_URL is set (CI), on
 * embedded PGlite otherwise, each in a schema of its own.
 */
export async function startSearchProcess(embedderPort: number, env: Record<string, string> = {}, options: { keepSchema?: boolean } = {}) {
  // A test may pass SEARCH_DB_SCHEMA to reopen a schema another process wrote.
  const schema = env.SEARCH_DB_SCHEMA ?? `t_${randomBytes(6).toString('hex')}`;
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const proc = await startServiceProcess(
    'services/search/src/main.ts',
    {
      ...LOOPBACK,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      SEARCH_DB_SCHEMA: schema,
      EMBEDDER_ADDRESSES: `127.0.0.1:${embedderPort}`,
      SEARCH_GRPC_PORT: '0',
      SEARCH_HTTP_PORT: '0',
      SEARCH_API_PORT: '0',
      BREAKER_HALF_OPEN_MS: '500',
      BACKFILL_INTERVAL_MS: '200',
      ...env,
    },
    'search listening',
  );
  return {
    proc,
    schema,
    grpcPort: proc.listening.grpcPort as number,
    httpPort: proc.listening.httpPort as number,
    /** The HTTP/JSON API. */
    apiPort: proc.listening.apiPort as number,
    async stop() {
      await proc.stop();
      if (databaseUrl && !options.keepSchema) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    },
  };
}
