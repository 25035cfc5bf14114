import { serverCredentials as tlsServerCredentials } from '../../../shared/grpc/tls.js';
import { logger } from '../../../shared/logger.js';
import { runServiceMain } from '../../../shared/process/service-main.js';
import { startEmbedder } from './app.js';
import { loadEmbedderConfig } from './config.js';

runServiceMain('embedder', loadEmbedderConfig, async (config) => {
  const serverCredentials = config.tls ? tlsServerCredentials(config.tls) : undefined;
  const app = await startEmbedder(config, { serverCredentials });
  // Tests and operators read the bound ports from this line (port 0 = any free port).
  logger.info(
    { grpcPort: app.grpcPort, httpPort: app.httpPort, tls: Boolean(config.tls), mtls: Boolean(config.tls?.clientCaPath) },
    'embedder listening',
  );
  app.ready.then(
    () => logger.info('embedder ready'),
    (err: unknown) => {
      logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'model failed to start');
      process.exit(1);
    },
  );
  return app;
});
