import { cpus } from 'node:os';
import { z } from 'zod';
import { boolean, parseEnv, port, positiveInt } from '../../../shared/config/env.js';

/**
 * Every knob of the embedder, read once from the environment at start-up.
 * Each field says what it trades off.
 */
export const embedderEnvSchema = z.object({
  /** Model directory in the published Hugging Face layout (tokenizer.json, config.json, onnx/). */
  MODEL_DIR: z.string({ error: 'MODEL_DIR is required: a model directory (see README, "Models")' }),
  /**
   * Prefix scheme, when the directory has no polysearch.json manifest or to
   * override it. Never guessed: a wrong scheme silently ruins recall.
   */
  MODEL_PROFILE: z.enum(['e5', 'e5-instruct']).optional(),
  /** Model id reported in the fingerprint, when the manifest does not name it. */
  MODEL_ID: z.string().optional(),
  /** Task sentence for e5-instruct queries ("Instruct: {task}\nQuery: {text}"). */
  EMBEDDER_INSTRUCT_TASK: z
    .string()
    .default('Given a web search query, retrieve relevant passages that answer the query'),
  EMBEDDER_GRPC_HOST: z.string().default('0.0.0.0'),
  EMBEDDER_GRPC_PORT: port(50051),
  EMBEDDER_HTTP_HOST: z.string().default('0.0.0.0'),
  EMBEDDER_HTTP_PORT: port(8081),
  /** Inputs per Embed call. Larger batches amortise overhead but hold the single inference slot longer. */
  EMBEDDER_MAX_INPUTS: positiveInt(64),
  /** UTF-8 bytes per input. Text past the model's 512 tokens is truncated anyway; this bounds tokenizer work and memory. */
  EMBEDDER_MAX_INPUT_BYTES: positiveInt(32_768),
  /** Requests waiting for the inference slot. Past it callers get RESOURCE_EXHAUSTED at once instead of queueing into their deadline. */
  EMBEDDER_QUEUE_CAPACITY: positiveInt(256),
  /**
   * Padded tokens (rows × longest row) one fused run may hold. Fusing queued
   * requests raises throughput; a larger budget raises the latency of a query
   * that lands behind a big batch.
   */
  EMBEDDER_BATCH_TOKEN_BUDGET: positiveInt(8_192),
  /** One inference running longer than this trips the watchdog: readiness off, worker replaced. Must exceed the slowest legitimate batch. */
  EMBEDDER_WATCHDOG_MS: positiveInt(30_000),
  /**
   * ONNX Runtime intra-op threads. Default: all cores, since only one
   * inference runs at a time (inter-op parallelism stays off: the parallel
   * executor with 2 inter-op threads was slower, query p50 11.2 vs 7.5 ms and a
   * batch of 32 passages 12.0 vs 8.5 s, on 2 cores). Measured with
   * `npm run bench:embedder:threads` (real e5-small, passages streaming in
   * while queries arrive, shared machine, median of 2 rounds):
   * - 1 core: 1. More threads only time-slice the one core.
   * - 2 cores: 2. A lone query takes half as long as with 1 thread (p50 6.8 vs
   *   12.0 ms); under the mixed load passages/s were equal within the noise
   *   (1.9 vs 2.2, rounds differ by 2x on a shared box). 4 threads on 2 cores:
   *   no faster (1.8), idle query p50 8.8 ms.
   * - 4+ cores (not measured here): all cores; the event loop and gRPC need
   *   little CPU since only tokenizing runs beside inference. Set it lower to
   *   leave cores to a co-located search service or database.
   */
  EMBEDDER_INTRA_OP_THREADS: positiveInt(Math.max(1, cpus().length)),
  /**
   * Let ONNX Runtime's intra-op threads spin-wait between runs. Meant for
   * dedicated cores; on a small or shared box the spinning threads take CPU
   * the next run, the event loop (tokenizing, gRPC) and neighbours need. Off
   * by default. Measured on 2 shared cores (same bench as above): idle query
   * p50 with spinning 17.0 / 28.1 / 59.9 ms at 1 / 2 / 4 threads vs 12.0 / 6.8 /
   * 8.8 ms without, passages/s under load no better (2.6 / 1.6 / 0.8 vs 2.2 /
   * 1.9 / 1.8) and, at 2 and 4 threads, queries timing out behind the load.
   * Consider it only with cores reserved for the embedder.
   */
  EMBEDDER_ORT_SPINNING: boolean(false),
  /** How long SIGTERM waits for in-flight and queued work before exiting. */
  EMBEDDER_SHUTDOWN_GRACE_MS: positiveInt(10_000),
  /** Server certificate and key (PEM paths). Set both to serve gRPC over TLS. */
  EMBEDDER_TLS_CERT: z.string().optional(),
  EMBEDDER_TLS_KEY: z.string().optional(),
  /** CA bundle (PEM path) for client certificates. Set it to require mTLS: clients without a certificate it signed are refused. */
  EMBEDDER_TLS_CLIENT_CA: z.string().optional(),
  /** Allow a generated fixture model (vectors carry no meaning). Off in production images. */
  EMBEDDER_ALLOW_FIXTURE: boolean(true),
});

export type EmbedderEnv = z.infer<typeof embedderEnvSchema>;

export interface EmbedderConfig {
  modelDir: string;
  profileOverride?: 'e5' | 'e5-instruct';
  modelIdOverride?: string;
  instructTask: string;
  grpc: { host: string; port: number };
  http: { host: string; port: number };
  limits: { maxInputs: number; maxInputBytes: number };
  queue: { capacity: number; batchTokenBudget: number };
  watchdogMs: number;
  intraOpThreads: number;
  ortSpinning: boolean;
  shutdownGraceMs: number;
  tls?: { certPath: string; keyPath: string; clientCaPath?: string };
  allowFixture: boolean;
}

export function loadEmbedderConfig(env: NodeJS.ProcessEnv = process.env): EmbedderConfig {
  const e = parseEnv(embedderEnvSchema, env);
  if ((e.EMBEDDER_TLS_CERT === undefined) !== (e.EMBEDDER_TLS_KEY === undefined)) {
    throw new Error('invalid configuration: EMBEDDER_TLS_CERT and EMBEDDER_TLS_KEY must be set together');
  }
  if (e.EMBEDDER_TLS_CLIENT_CA && !e.EMBEDDER_TLS_CERT) {
    throw new Error('invalid configuration: EMBEDDER_TLS_CLIENT_CA needs EMBEDDER_TLS_CERT and EMBEDDER_TLS_KEY');
  }
  return {
    modelDir: e.MODEL_DIR,
    profileOverride: e.MODEL_PROFILE,
    modelIdOverride: e.MODEL_ID,
    instructTask: e.EMBEDDER_INSTRUCT_TASK,
    grpc: { host: e.EMBEDDER_GRPC_HOST, port: e.EMBEDDER_GRPC_PORT },
    http: { host: e.EMBEDDER_HTTP_HOST, port: e.EMBEDDER_HTTP_PORT },
    limits: { maxInputs: e.EMBEDDER_MAX_INPUTS, maxInputBytes: e.EMBEDDER_MAX_INPUT_BYTES },
    queue: { capacity: e.EMBEDDER_QUEUE_CAPACITY, batchTokenBudget: e.EMBEDDER_BATCH_TOKEN_BUDGET },
    watchdogMs: e.EMBEDDER_WATCHDOG_MS,
    intraOpThreads: e.EMBEDDER_INTRA_OP_THREADS,
    ortSpinning: e.EMBEDDER_ORT_SPINNING,
    shutdownGraceMs: e.EMBEDDER_SHUTDOWN_GRACE_MS,
    tls: e.EMBEDDER_TLS_CERT
      ? { certPath: e.EMBEDDER_TLS_CERT, keyPath: e.EMBEDDER_TLS_KEY!, clientCaPath: e.EMBEDDER_TLS_CLIENT_CA }
      : undefined,
    allowFixture: e.EMBEDDER_ALLOW_FIXTURE,
  };
}
