import { logger } from '../../../shared/logger.js';
import { runServiceMain } from '../../../shared/process/service-main.js';
import { startSearch } from './app.js';
import { loadSearchConfig } from './config.js';

runServiceMain('search', loadSearchConfig, async (config) => {
  const app = await startSearch(config);
  // Tests and operators read the bound ports from this line (port 0 = any free port).
  logger.info(
    { grpcPort: app.grpcPort, httpPort: app.httpPort, apiPort: app.apiPort, database: config.database.url ? 'postgres' : 'embedded', embedders: config.embedder.addresses.length },
    'search listening',
  );
  return app;
});
