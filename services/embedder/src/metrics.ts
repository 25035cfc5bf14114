import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The embedder's Prometheus metrics, on a registry of its own (tests start several). */
export function createEmbedderMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'embedder_process_' });
  return {
    registry,
    queueDepth: new Gauge({ name: 'embedder_queue_depth', help: 'Requests waiting for the inference slot', registers: [registry] }),
    ready: new Gauge({ name: 'embedder_ready', help: '1 when /readyz answers 200', registers: [registry] }),
    inferenceSeconds: new Histogram({
      name: 'embedder_inference_duration_seconds',
      help: 'Duration of one ONNX run (one fused batch)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queueWaitSeconds: new Histogram({
      name: 'embedder_queue_wait_seconds',
      help: 'Time a request waited for the inference slot',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    batchInputs: new Histogram({
      name: 'embedder_batch_inputs',
      help: 'Texts per ONNX run',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    batchRequests: new Histogram({
      name: 'embedder_batch_requests',
      help: 'Embed requests fused into one ONNX run',
      buckets: [1, 2, 4, 8, 16, 32],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'embedder_tokens_total',
      help: 'Tokens embedded (real tokens, special tokens and prefix included), by role',
      labelNames: ['role'],
      registers: [registry],
    }),
    paddedTokens: new Counter({ name: 'embedder_padded_tokens_total', help: 'Tokens run including padding', registers: [registry] }),
    truncated: new Counter({ name: 'embedder_truncated_inputs_total', help: 'Inputs cut at the model maximum length', registers: [registry] }),
    rejections: new Counter({
      name: 'embedder_rejections_total',
      help: 'Embed requests refused or dropped, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    watchdogTrips: new Counter({ name: 'embedder_watchdog_trips_total', help: 'Inferences that exceeded the watchdog limit', registers: [registry] }),
  };
}

export type EmbedderMetrics = ReturnType<typeof createEmbedderMetrics>;
