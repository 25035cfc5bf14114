import { logger } from '../../../shared/logger.js';
import { startSearch } from './app.js';
import { loadSearchConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadSearchConfig();
  } catch (err) {
    console.error(`search: ${(err as Error).message}`);
    process.exit(2);
  }
  const app = await startSearch(config);
  // Tests and operators read the bound ports from this line (port 0 = any free port).
  logger.info(
    { grpcPort: app.grpcPort, httpPort: app.httpPort, database: config.database.url ? 'postgres' : 'embedded', embedders: config.embedder.addresses.length },
    'search listening',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness off, finishing in-flight calls');
    app.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`search: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
