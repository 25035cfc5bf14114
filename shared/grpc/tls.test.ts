import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type RunningGrpcServer } from './server.js';
import { clientTls, serverCredentials, type ClientTls } from './tls.js';
import { issue } from '../../test/support/certs.js';

const POD_NAME = 'embedder-headless.polysearch.svc.cluster.local';

// grpc-health-check exports the proto-loader definition; a generic client is all a probe needs.
const HealthClient = grpc.makeGenericClientConstructor(healthService as unknown as grpc.ServiceDefinition, 'Health');

interface HealthCheckClient extends grpc.Client {
  Check(
    req: { service: string },
    meta: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: grpc.requestCallback<{ status: string }>,
  ): grpc.ClientUnaryCall;
}

function check(address: string, tls: ClientTls | null): Promise<{ status: string }> {
  const client = (
    tls
      ? new HealthClient(address, tls.credentials, tls.options)
      : new HealthClient(address, grpc.credentials.createInsecure())
  ) as unknown as HealthCheckClient;
  return new Promise((resolve, reject) => {
    client.Check({ service: '' }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!);
    });
  });
}

async function expectRefused(promise: Promise<unknown>): Promise<void> {
  const err = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as grpc.ServiceError | undefined;
  expect(err, 'the call should have been refused').toBeDefined();
  // A failed handshake surfaces as UNAVAILABLE, never as a served answer.
  expect(err!.code).toBe(grpc.status.UNAVAILABLE);
}

describe('gRPC TLS credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polysearch-tls-'));
  const file = (name: string, pem: string) => {
    const path = join(dir, name);
    writeFileSync(path, pem);
    return path;
  };
  const paths: Record<string, string> = {};
  const servers: RunningGrpcServer[] = [];

  async function serve(certPath: string, keyPath: string, clientCaPath?: string): Promise<string> {
    const running = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      protoFiles: ['polysearch/embedder/v1/embedder.proto'],
      serviceNames: [],
      credentials: serverCredentials({ certPath, keyPath, clientCaPath }),
      register: () => {},
    });
    running.setServing(true);
    servers.push(running);
    return `127.0.0.1:${running.port}`;
  }

  let mtlsAddress = '';

  beforeAll(async () => {
    const ca = issue('polysearch test CA', { ca: true });
    const otherCa = issue('some other CA', { ca: true });
    const server = issue('embedder', {
      issuer: ca,
      usage: 'server',
      alt: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    });
    const pod = issue('embedder', { issuer: ca, usage: 'server', alt: [{ type: 2, value: POD_NAME }] });
    const client = issue('search', { issuer: ca, usage: 'client' });
    const stranger = issue('search', { issuer: otherCa, usage: 'client' });
    const pem = forge.pki.certificateToPem;
    const keyPem = forge.pki.privateKeyToPem;
    Object.assign(paths, {
      ca: file('ca.pem', pem(ca.cert)),
      serverCert: file('server.pem', pem(server.cert)),
      serverKey: file('server-key.pem', keyPem(server.key)),
      podCert: file('pod.pem', pem(pod.cert)),
      podKey: file('pod-key.pem', keyPem(pod.key)),
      clientCert: file('client.pem', pem(client.cert)),
      clientKey: file('client-key.pem', keyPem(client.key)),
      strangerCert: file('stranger.pem', pem(stranger.cert)),
      strangerKey: file('stranger-key.pem', keyPem(stranger.key)),
    });
    mtlsAddress = await serve(paths.serverCert, paths.serverKey, paths.ca);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.shutdown(1_000)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a client presenting a certificate from the trusted CA', async () => {
    const tls = clientTls({ caPath: paths.ca, certPath: paths.clientCert, keyPath: paths.clientKey });
    await expect(check(mtlsAddress, tls)).resolves.toMatchObject({ status: 'SERVING' });
  });

  it('refuses a TLS client that presents no certificate', async () => {
    await expectRefused(check(mtlsAddress, clientTls({ caPath: paths.ca })));
  });

  it('refuses a client certificate signed by another CA', async () => {
    const tls = clientTls({ caPath: paths.ca, certPath: paths.strangerCert, keyPath: paths.strangerKey });
    await expectRefused(check(mtlsAddress, tls));
  });

  it('refuses a plain-text client', async () => {
    await expectRefused(check(mtlsAddress, null));
  });

  it('without a client CA, serves TLS clients that present no certificate', async () => {
    const address = await serve(paths.serverCert, paths.serverKey);
    await expect(check(address, clientTls({ caPath: paths.ca }))).resolves.toMatchObject({ status: 'SERVING' });
  });

  it('verifies the server name, and the override names what to verify', async () => {
    // A cert naming only the in-cluster service, dialled by IP: what a pod IP from DNS looks like.
    const address = await serve(paths.podCert, paths.podKey, paths.ca);
    const base = { caPath: paths.ca, certPath: paths.clientCert, keyPath: paths.clientKey };
    await expectRefused(check(address, clientTls(base)));
    const overridden = clientTls({ ...base, serverNameOverride: POD_NAME });
    await expect(check(address, overridden)).resolves.toMatchObject({ status: 'SERVING' });
  });

  it('rejects a client certificate without its key', () => {
    expect(() => clientTls({ caPath: paths.ca, certPath: paths.clientCert })).toThrow(/together/);
  });
});
