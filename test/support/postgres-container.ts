import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The same pgvector image docker-compose.yml runs. */
const IMAGE = 'pgvector/pgvector:0.8.0-pg16';

/** True when a Docker engine answers (the docker CLI alone is not enough). */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    await promisify(execFile)('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts Postgres + pgvector in a throwaway container (testcontainers) and
 * returns its URL with the vector extension created. Only for machines with
 * a Docker engine; CI here uses the local PostgreSQL instead.
 */
export async function startPgvectorContainer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({ POSTGRES_PASSWORD: 'test', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const url = `postgres://postgres:test@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.end();
  return { url, stop: async () => void (await container.stop()) };
}
