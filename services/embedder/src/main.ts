import { logger } from '../../../shared/logger.js';
import { serverCredentials as tlsServerCredentials } from '../../../shared/grpc/tls.js';
import { startEmbedder } from './app.js';
import { loadEmbedderConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadEmbedderConfig();
  } catch (err) {
    console.error(`embedder: ${(err as Error).message}`);
    process.exit(2);
  }
  const serverCredentials = config.tls
    ? tlsServerCredentials({ certPath: config.tls.certPath, keyPath: config.tls.keyPath, clientCaPath: config.tls.clientCaPath })
    : undefined;
  const app = await startEmbedder(config, { serverCredentials });
  // Tests and operators read the bound ports from this line (port 0 = any free port).
  logger.info({ grpcPort: app.grpcPort, httpPort: app.httpPort, tls: Boolean(config.tls), mtls: Boolean(config.tls?.clientCaPath) }, 'embedder listening');

  app.ready.then(
    () => logger.info('embedder ready'),
    (err: unknown) => {
      logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'model failed to start');
      process.exit(1);
    },
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness off, finishing in-flight work');
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
  console.error(`embedder: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
