import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';

const require = createRequire(import.meta.url);

/** grpc.health.v1 Check for a service name ('' = whole server). */
export function healthCheck(port: number, service = ''): Promise<string> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'Health');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    (client as unknown as { check: (req: object, cb: (e: Error | null, r: { status: string }) => void) => void }).check(
      { service },
      (err, res) => {
        client.close();
        if (err) reject(err);
        else resolve(res.status);
      },
    );
  });
}

/** What `grpcurl list` does: ask server reflection (v1) for the service names. */
export async function reflectionListServices(port: number): Promise<string[]> {
  const reflectionDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const def = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionDir], keepCase: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ServerReflectionInfo: () => grpc.ClientDuplexStream<object, Record<string, unknown>> })
      .ServerReflectionInfo();
    call.on('data', (msg) => {
      const list = msg.list_services_response as { service: { name: string }[] } | undefined;
      call.end();
      client.close();
      if (list) resolve(list.service.map((s) => s.name));
      else reject(new Error(`unexpected reflection answer: ${JSON.stringify(msg)}`));
    });
    call.on('error', reject);
    call.write({ list_services: '' });
  });
}
