import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { PROTO_DIR } from '../paths.js';

export interface GrpcServerOptions {
  host: string;
  port: number;
  /** Proto files (relative to proto/) whose services reflection lists. */
  protoFiles: string[];
  /** Fully qualified service names whose health mirrors readiness. */
  serviceNames: string[];
  credentials?: grpc.ServerCredentials;
  /** Largest request a client may send; Upsert batches are the big ones. */
  maxReceiveMessageBytes?: number;
  register: (server: grpc.Server) => void;
}

export interface RunningGrpcServer {
  server: grpc.Server;
  port: number;
  /** Mirror readiness into grpc.health.v1 for '' and every service. */
  setServing: (serving: boolean) => void;
  /** Stop accepting, let in-flight calls finish (bounded by graceMs), then stop. */
  shutdown: (graceMs: number) => Promise<void>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
  });
  options.register(server);

  const names = ['', ...options.serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' as ServingStatus])));
  health.addToServer(server);

  const definition = protoLoader.loadSync(options.protoFiles, {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  new ReflectionService(definition).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${options.host}:${options.port}`,
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    );
  });

  return {
    server,
    port,
    setServing(serving) {
      for (const name of names) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    shutdown(graceMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
