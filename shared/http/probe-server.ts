import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { dropMisnamedDefaultGauges } from './default-metrics-names.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready (e.g. "loading", "warming_up", "watchdog_tripped", "shutting_down"). */
  reason: string;
}

export interface ProbeServerOptions {
  host: string;
  port: number;
  readiness: () => Readiness | Promise<Readiness>;
  registry: Registry;
}

export interface RunningProbeServer {
  server: Server;
  port: number;
  close: () => Promise<void>;
}

/**
 * Kubernetes probes and Prometheus metrics on their own plain-HTTP port, so
 * they keep working when gRPC uses mTLS. /livez checks nothing but the event
 * loop: a dependency outage must not get the pod restarted.
 */
export async function startProbeServer(options: ProbeServerOptions): Promise<RunningProbeServer> {
  // What Prometheus scrapes here must pass `promtool check metrics` (CI checks it).
  dropMisnamedDefaultGauges(options.registry);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    switch (path) {
      case '/livez':
        return send(200, 'ok\n');
      case '/readyz':
        Promise.resolve(options.readiness()).then(
          (r) => send(r.ready ? 200 : 503, r.ready ? 'ready\n' : `not ready: ${r.reason}\n`),
          () => send(503, 'not ready: readiness check failed\n'),
        );
        return;
      case '/metrics':
        options.registry.metrics().then(
          (body) => send(200, body, options.registry.contentType),
          () => send(500, 'metrics unavailable\n'),
        );
        return;
      default:
        return send(404, 'not found: try /readyz, /livez or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
