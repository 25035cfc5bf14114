import { logger } from '../logger.js';

export interface RunningService {
  /** Readiness off, stop accepting, finish in-flight work, release resources. */
  shutdown: () => Promise<void>;
}

/**
 * The shared life of a service process: parse config (exit 2 with the
 * variable named when it is invalid), start, and on SIGTERM/SIGINT shut down
 * once and exit 0 (1 when the shutdown itself fails).
 */
export function runServiceMain<C, A extends RunningService>(
  name: string,
  loadConfig: () => C,
  start: (config: C) => Promise<A>,
): void {
  const fail = (err: unknown) => {
    console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  };
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}`);
    process.exit(2);
  }
  start(config).then((app) => {
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
  }, fail);
}
