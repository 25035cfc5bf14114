import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The search service's Prometheus metrics, on a registry of its own (tests start several). */
export function createSearchMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'search_process_' });
  return {
    registry,
    searchSeconds: new Histogram({
      name: 'search_request_duration_seconds',
      help: 'Search latency by the mode actually used',
      labelNames: ['mode'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    degraded: new Counter({
      name: 'search_degraded_total',
      help: 'Searches answered in a degraded mode (keyword instead of semantic), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'search_query_cache_lookups_total',
      help: 'Query-vector cache lookups by result (hit ratio = hit / all)',
      labelNames: ['result'],
      registers: [registry],
    }),
    embedderCalls: new Counter({
      name: 'search_embedder_calls_total',
      help: 'Calls to the embedder by role and outcome',
      labelNames: ['role', 'outcome'],
      registers: [registry],
    }),
    breakerOpen: new Gauge({ name: 'search_embedder_circuit_open', help: '1 while the embedder circuit breaker is open', registers: [registry] }),
    pendingPassages: new Gauge({
      name: 'search_pending_passages',
      help: 'Passages waiting for an embedding (no vector, or a vector of another model)',
      registers: [registry],
    }),
    passageFailures: new Counter({
      name: 'search_passage_failures_total',
      help: 'Passages the embedder refused (set aside, keyword-only until their content changes), by where it happened',
      labelNames: ['stage'],
      registers: [registry],
    }),
    failedPassages: new Gauge({
      name: 'search_failed_passages',
      help: 'Passages currently set aside because the embedder refused them',
      registers: [registry],
    }),
    modelCoverage: new Gauge({
      name: 'search_model_coverage_ratio',
      help: 'Share of passages with a vector of each kept model, by role (current, next during a rotation, previous)',
      labelNames: ['model', 'role'],
      registers: [registry],
    }),
    modelBackfillRate: new Gauge({
      name: 'search_model_backfill_passages_per_second',
      help: 'Passages embedded per second over the last minute, per kept model (all replicas)',
      labelNames: ['model', 'role'],
      registers: [registry],
    }),
    backfilled: new Counter({ name: 'search_backfilled_passages_total', help: 'Passages embedded by the backfill', registers: [registry] }),
    dbReads: new Counter({
      name: 'search_db_reads_total',
      help: 'Store reads (Search, Get, Stats) by the server that served them and why (with DATABASE_READ_URLS)',
      labelNames: ['target', 'reason'],
      registers: [registry],
    }),
    replicaLag: new Gauge({
      name: 'search_db_replica_lag_seconds',
      help: 'How long each read replica has been missing WAL the primary had (+Inf while it is left out)',
      labelNames: ['replica'],
      registers: [registry],
    }),
    httpRequests: new Histogram({
      name: 'search_http_request_duration_seconds',
      help: 'HTTP API requests by operation (operationId, "unmatched" before routing) and status code',
      labelNames: ['operation', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    upserted: new Counter({
      name: 'search_upserted_documents_total',
      help: 'Documents upserted by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

export type SearchMetrics = ReturnType<typeof createSearchMetrics>;
