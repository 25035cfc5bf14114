import type { ServerCredentials } from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '../../../shared/grpc/server.js';
import { startProbeServer, type RunningProbeServer } from '../../../shared/http/probe-server.js';
import { logger } from '../../../shared/logger.js';
import { padBatch } from './backend/batch.js';
import { WorkerBackend } from './backend/worker-backend.js';
import type { EmbedderConfig } from './config.js';
import { EmbedderCore } from './core/embedder-core.js';
import { embedderHandlers, EmbedderService } from './grpc/embedder-service.js';
import { createEmbedderMetrics } from './metrics.js';
import { fingerprintOf } from './model/fingerprint.js';
import { loadModelDirectory } from './model/model-dir.js';
import { makeProfile } from './model/profile.js';
import { TextTokenizer } from './tokenizer/tokenizer.js';

export interface EmbedderApp {
  grpcPort: number;
  httpPort: number;
  core: EmbedderCore;
  backend: WorkerBackend;
  /** Resolves when the model has loaded and answered its warm-up. */
  ready: Promise<void>;
  /** SIGTERM path: readiness off, stop accepting, finish in-flight work, release everything. */
  shutdown: () => Promise<void>;
}

export interface StartOptions {
  /** Substitute worker entry (tests make one that can wedge). */
  workerUrl?: URL;
  workerData?: unknown;
  serverCredentials?: ServerCredentials;
}

/**
 * Wires model directory → tokenizer → backend → core → gRPC + HTTP. Ports
 * open before the model loads, so probes and callers see "not ready" rather
 * than a refused connection.
 */
export async function startEmbedder(config: EmbedderConfig, options: StartOptions = {}): Promise<EmbedderApp> {
  const model = await loadModelDirectory(config.modelDir, {
    profile: config.profileOverride,
    modelId: config.modelIdOverride,
  });
  if (model.fixture && !config.allowFixture) {
    throw new Error(`${config.modelDir} is a generated fixture model and EMBEDDER_ALLOW_FIXTURE=false`);
  }
  const profile = makeProfile(model.profile, config.instructTask);
  const tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
  const fingerprint = fingerprintOf(model);
  const metrics = createEmbedderMetrics();

  const backend = new WorkerBackend({
    onnxPath: model.onnxPath,
    intraOpThreads: config.intraOpThreads,
    allowSpinning: config.ortSpinning,
    numHeads: model.numHeads,
    watchdogMs: config.watchdogMs,
    warmup: padBatch([tokenizer.encode(profile.format('query', 'warm-up')).ids], tokenizer.padId),
    workerUrl: options.workerUrl,
    workerData: options.workerData,
  });
  backend.on('tripped', () => metrics.watchdogTrips.inc());
  backend.on('run', ({ ms }: { ms: number }) => logger.trace({ ms }, 'inference run'));

  const core = new EmbedderCore({
    profile,
    tokenizer,
    backend,
    fingerprint,
    limits: config.limits,
    queue: config.queue,
    metrics,
  });

  let grpc: RunningGrpcServer | undefined;
  let http: RunningProbeServer | undefined;
  try {
    grpc = await startGrpcServer({
      host: config.grpc.host,
      port: config.grpc.port,
      protoFiles: ['polysearch/embedder/v1/embedder.proto'],
      serviceNames: ['polysearch.embedder.v1.Embedder'],
      credentials: options.serverCredentials,
      register: (server) =>
        server.addService(
          EmbedderService,
          embedderHandlers(core, {
            maxInputs: config.limits.maxInputs,
            maxInputBytes: config.limits.maxInputBytes,
            queueCapacity: config.queue.capacity,
            fixture: model.fixture,
          }),
        ),
    });
    http = await startProbeServer({
      host: config.http.host,
      port: config.http.port,
      readiness: () => core.readiness(),
      registry: metrics.registry,
    });
  } catch (err) {
    grpc?.server.forceShutdown();
    throw err;
  }
  const grpcServer = grpc;
  const httpServer = http;
  backend.on('state', () => grpcServer.setServing(core.readiness().ready));

  logger.info(
    { modelId: model.modelId, profile: model.profile, dims: model.hiddenSize, digest: fingerprint.digest, fixture: model.fixture },
    'model directory loaded; loading ONNX session',
  );
  const ready = backend.start();
  // Start-up failures are reported through `ready`; keep them from being unhandled.
  ready.catch(() => undefined);

  return {
    grpcPort: grpcServer.port,
    httpPort: httpServer.port,
    core,
    backend,
    ready,
    async shutdown() {
      const drained = core.drain();
      grpcServer.setServing(false);
      await grpcServer.shutdown(config.shutdownGraceMs);
      await drained;
      await backend.stop();
      await httpServer.close();
    },
  };
}
