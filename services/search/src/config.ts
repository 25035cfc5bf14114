import { z } from 'zod';
import { boolean, parseEnv, port, positiveInt } from '../../../shared/config/env.js';
import { DEFAULT_EF_SEARCH } from './store/store-context.js';

/**
 * Every knob of the search service, read once from the environment at
 * start-up. Each field says what it trades off.
 */
export const searchEnvSchema = z.object({
  /** PostgreSQL with pgvector. Unset: embedded PGlite (in memory, or PGLITE_DATA_DIR). */
  DATABASE_URL: z.string().optional(),
  /**
   * Comma-separated postgres:// URLs of streaming replicas of DATABASE_URL.
   * Search, Get and Stats read from them; writes, migrations and the backfill
   * stay on the primary. Replicas take read load (and its connections) off the
   * primary at the cost of one tiny WAL-position query per write and per
   * REPLICA_CHECK_INTERVAL_MS. Consistency: a tenant reads its own writes made
   * through this process (a replica serves it only once it has replayed them,
   * else the primary does); other reads may be up to REPLICA_MAX_LAG_MS +
   * REPLICA_CHECK_INTERVAL_MS behind (store/routed-db.ts). Needs DATABASE_URL.
   */
  DATABASE_READ_URLS: z.string().optional(),
  /**
   * A replica lagging more than this serves no reads until it catches up.
   * Lower bounds how stale a read can be; higher keeps more reads on the
   * replicas during write bursts and slow replay.
   */
  REPLICA_MAX_LAG_MS: positiveInt(2_000),
  /**
   * How often replica replay positions and the primary's WAL position are
   * read: lower notices lag (and a returning replica) sooner, for one tiny
   * query per replica and one on the primary each time.
   */
  REPLICA_CHECK_INTERVAL_MS: positiveInt(250),
  /**
   * How long a replica that failed a read or a check is left out before it is
   * checked again: longer spares a dead replica connection attempts, shorter
   * brings a restarted one back sooner.
   */
  REPLICA_RETRY_MS: positiveInt(5_000),
  /** Directory for the embedded database; unset keeps it in memory (lost on exit). */
  PGLITE_DATA_DIR: z.string().optional(),
  /** Schema holding polysearch's tables; lets several deployments share one database. */
  SEARCH_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _').default('polysearch'),
  /** Connections in the pool: more serve more concurrent searches but cost Postgres memory. */
  SEARCH_DB_POOL_SIZE: positiveInt(10),
  /**
   * application_name of search's connections in pg_stat_activity: lets a DBA
   * tell deployments (and tests sharing one server) apart, e.g. to find or
   * terminate one deployment's sessions without touching another's.
   */
  SEARCH_DB_APPLICATION_NAME: z.string().max(63, 'at most 63 characters (Postgres truncates longer names)').default('polysearch-search'),
  /** Comma-separated embedder addresses; several (or one dns:/// name) are balanced round-robin. */
  EMBEDDER_ADDRESSES: z.string().default('localhost:50051'),
  SEARCH_GRPC_HOST: z.string().default('0.0.0.0'),
  SEARCH_GRPC_PORT: port(50052),
  SEARCH_HTTP_HOST: z.string().default('0.0.0.0'),
  SEARCH_HTTP_PORT: port(8082),
  /**
   * During a model rotation: the embedder(s) of the next model (same syntax as
   * EMBEDDER_ADDRESSES). Search builds the next model's vectors beside the
   * current ones while queries stay on the current model, then cuts over.
   * Unset: no rotation. The vector width comes from each model's fingerprint.
   */
  EMBEDDER_NEXT_ADDRESSES: z.string().default(''),
  /**
   * Cut over to the next model by itself once it covers every passage. Off:
   * wait for SearchAdmin.Cutover (for example to compare results first).
   */
  ROTATION_AUTO_CUTOVER: boolean(true),
  /** How often each replica re-reads which model serves (a cutover reaches every replica within this). */
  SERVING_POLL_MS: positiveInt(2_000),
  /**
   * The HTTP/JSON API (api/openapi/search.yaml), on a port of its own: unlike
   * the probe port it can require TLS and client certificates, and exposing
   * probes does not expose the API.
   */
  SEARCH_API_HOST: z.string().default('0.0.0.0'),
  SEARCH_API_PORT: port(8083),
  /** Server certificate and key (PEM paths) of the HTTP API. Set both to serve it over HTTPS only. */
  SEARCH_API_TLS_CERT: z.string().optional(),
  SEARCH_API_TLS_KEY: z.string().optional(),
  /** CA bundle (PEM path) for client certificates: set it to require mTLS on the HTTP API (clients without a certificate it signed are refused). */
  SEARCH_API_TLS_CLIENT_CA: z.string().optional(),
  /**
   * Largest request, as a gRPC message and as an HTTP body alike (413 /
   * RESOURCE_EXHAUSTED past it). Larger lets bigger Upsert batches through;
   * each request in flight can hold this much memory (a JSON body about
   * twice, parsed). At most 512 MiB, the longest string V8 can hold.
   */
  SEARCH_MAX_REQUEST_BYTES: z.coerce.number().int().positive().max(512 * 1024 * 1024).default(64 * 1024 * 1024),
  /** HNSW graph degree: higher improves recall and costs memory and build time. */
  HNSW_M: positiveInt(16),
  /** HNSW build candidate list: higher improves recall and slows inserts. */
  HNSW_EF_CONSTRUCTION: positiveInt(64),
  /** Default HNSW search candidate list: higher improves recall and usually costs time (see DEFAULT_EF_SEARCH for the measurement). */
  HNSW_EF_SEARCH: positiveInt(DEFAULT_EF_SEARCH),
  /** Deadline of a query embedding. Short, because search falls back to keywords instead of waiting. */
  EMBEDDER_QUERY_TIMEOUT_MS: positiveInt(300),
  /** Deadline of a passage batch during Upsert/backfill; past it the documents are stored pending. */
  EMBEDDER_PASSAGE_TIMEOUT_MS: positiveInt(10_000),
  /** Consecutive embedder failures that open the circuit (searches go keyword-only at once). */
  BREAKER_FAILURES: positiveInt(3),
  /** How long the circuit stays open before one probe call is let through (sent on a timer, not only with traffic). */
  BREAKER_HALF_OPEN_MS: positiveInt(5_000),
  /**
   * Longest wait between reconnect attempts to an embedder that is down.
   * grpc-js alone grows it towards 120 s, which delayed recovery by minutes
   * after long outages; short costs one TCP connect per address this often
   * while the embedder is down. Semantic search is back within about
   * this + BREAKER_HALF_OPEN_MS of the embedder being ready.
   */
  EMBEDDER_RECONNECT_BACKOFF_MAX_MS: positiveInt(1_000),
  /** Query vectors cached; each costs ~dims×4 bytes. */
  QUERY_CACHE_MAX: positiveInt(10_000),
  /** Cached query vectors expire after this (also bounded by the model fingerprint in the key). */
  QUERY_CACHE_TTL_MS: positiveInt(3_600_000),
  /** Reciprocal rank fusion constant: larger flattens the advantage of top ranks. */
  RRF_K: positiveInt(60),
  /**
   * Documents each side retrieves when a later stage reorders them (hybrid
   * fusion, personalization). Deeper lets fusion promote a document one side
   * ranks low; it costs a longer index scan and more rows per search.
   */
  SEARCH_CANDIDATE_DEPTH: positiveInt(50),
  /**
   * Candidates a personalized search reorders by the user's taste (pages end
   * there). Deeper lets taste lift a document plain relevance ranks low, at
   * the cost of fetching that many item vectors per search.
   */
  SEARCH_RERANK_DEPTH: positiveInt(100),
  /** Minimum semantic score when a request sets none; see README "Relevance threshold". Unset: chosen by model profile. */
  SEARCH_MIN_SCORE: z.coerce.number().min(-1).max(1).optional(),
  /**
   * Semantic hits more than this below the best hit's cosine are dropped; see README "Relevance threshold".
   * Smaller shows fewer, surer hits and risks losing a second relevant one; 2 turns it off. Unset: by model profile.
   */
  SEARCH_SCORE_MARGIN: z.coerce.number().min(0).max(2).optional(),
  /** How often the backfill looks for pending passages. */
  BACKFILL_INTERVAL_MS: positiveInt(2_000),
  /** Passages per backfill embedder call. */
  BACKFILL_BATCH: positiveInt(32),
  /** Words per passage; e5 reads 512 tokens, multilingual text runs ~1.5-2.5 tokens a word. */
  PASSAGE_MAX_WORDS: positiveInt(180),
  PASSAGE_OVERLAP_WORDS: z.coerce.number().int().min(0).default(30),
  /**
   * UTF-8 bytes of a passage's embedding text, title included. Must stay
   * under the embedder's EMBEDDER_MAX_INPUT_BYTES (32768 by default), else the
   * embedder refuses such passages and they are set aside. 8192 is ~4x the
   * bytes of 180 words of ordinary text, so it only cuts pathological
   * passages (long whitespace runs, long words in 4-byte scripts); smaller
   * values split more text into more passages.
   */
  PASSAGE_MAX_BYTES: z.coerce.number().int().min(1024).max(1_000_000).default(8192),
  /** Documents per Upsert call. */
  UPSERT_MAX_DOCUMENTS: positiveInt(100),
  /** Bytes of content per document. */
  UPSERT_MAX_CONTENT_BYTES: positiveInt(1_000_000),
  /**
   * How long SIGTERM lets in-flight calls run. An Upsert still waiting on the
   * embedder then stores the rest pending and commits (its write gets up to
   * another grace period, at least 5 s): shutdown takes at most about twice
   * this. Longer embeds more before exit; keep 2x under the orchestrator's
   * kill timeout (Kubernetes: terminationGracePeriodSeconds, 30 s).
   */
  SEARCH_SHUTDOWN_GRACE_MS: positiveInt(10_000),
  /** CA that signed the embedder's certificate: set it to talk TLS to the embedder. */
  SEARCH_TLS_CA: z.string().optional(),
  /** Client certificate and key presented to an mTLS embedder. */
  SEARCH_TLS_CERT: z.string().optional(),
  SEARCH_TLS_KEY: z.string().optional(),
  /** Name to check the embedder certificate against when the dialled address is not in it. */
  EMBEDDER_TLS_SERVER_NAME: z.string().optional(),
});

export type SearchEnv = z.infer<typeof searchEnvSchema>;

export interface SearchConfig {
  database: {
    url?: string;
    pgliteDataDir?: string;
    schema: string;
    poolSize: number;
    applicationName: string;
    /** Streaming replicas for reads (empty: everything on the primary). */
    readUrls: string[];
    replicas: { maxLagMs: number; checkIntervalMs: number; retryAfterMs: number };
  };
  embedder: {
    addresses: string[];
    /** The next model's embedders during a rotation (empty: none). */
    nextAddresses: string[];
    queryTimeoutMs: number;
    passageTimeoutMs: number;
    breakerFailures: number;
    breakerHalfOpenMs: number;
    reconnectBackoffMaxMs: number;
    tls?: { caPath: string; certPath?: string; keyPath?: string; serverNameOverride?: string };
  };
  grpc: { host: string; port: number };
  http: { host: string; port: number };
  api: { host: string; port: number; tls?: { certPath: string; keyPath: string; clientCaPath?: string } };
  vectors: { hnswM: number; hnswEfConstruction: number; hnswEfSearch: number };
  rotation: { autoCutover: boolean; pollMs: number };
  cache: { max: number; ttlMs: number };
  ranking: { rrfK: number; candidateDepth: number; rerankDepth: number; minScore?: number; scoreMargin?: number };
  backfill: { intervalMs: number; batch: number };
  passages: { maxWords: number; overlapWords: number; maxBytes: number };
  limits: { maxDocuments: number; maxContentBytes: number; maxRequestBytes: number };
  shutdownGraceMs: number;
}

export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  const e = parseEnv(searchEnvSchema, env);
  const addresses = e.EMBEDDER_ADDRESSES.split(',').map((a) => a.trim()).filter(Boolean);
  if (addresses.length === 0) throw new Error('invalid configuration: EMBEDDER_ADDRESSES: at least one address');
  if ((e.SEARCH_TLS_CERT === undefined) !== (e.SEARCH_TLS_KEY === undefined)) {
    throw new Error('invalid configuration: SEARCH_TLS_CERT and SEARCH_TLS_KEY must be set together');
  }
  if (e.SEARCH_TLS_CERT && !e.SEARCH_TLS_CA) {
    throw new Error('invalid configuration: SEARCH_TLS_CERT needs SEARCH_TLS_CA (the CA of the embedder certificate)');
  }
  if ((e.SEARCH_API_TLS_CERT === undefined) !== (e.SEARCH_API_TLS_KEY === undefined)) {
    throw new Error('invalid configuration: SEARCH_API_TLS_CERT and SEARCH_API_TLS_KEY must be set together');
  }
  if (e.SEARCH_API_TLS_CLIENT_CA && !e.SEARCH_API_TLS_CERT) {
    throw new Error('invalid configuration: SEARCH_API_TLS_CLIENT_CA needs SEARCH_API_TLS_CERT and SEARCH_API_TLS_KEY');
  }
  const readUrls = (e.DATABASE_READ_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (readUrls.length > 0 && !e.DATABASE_URL) {
    throw new Error('invalid configuration: DATABASE_READ_URLS needs DATABASE_URL (the primary); embedded PGlite has no replicas');
  }
  const notPostgres = readUrls.find((u) => !/^postgres(ql)?:\/\//.test(u));
  if (notPostgres !== undefined) {
    throw new Error('invalid configuration: DATABASE_READ_URLS: every entry must be a postgres:// or postgresql:// URL');
  }
  if (e.PASSAGE_OVERLAP_WORDS >= e.PASSAGE_MAX_WORDS) {
    throw new Error('invalid configuration: PASSAGE_OVERLAP_WORDS must be smaller than PASSAGE_MAX_WORDS');
  }
  return {
    database: {
      url: e.DATABASE_URL,
      pgliteDataDir: e.PGLITE_DATA_DIR,
      schema: e.SEARCH_DB_SCHEMA,
      poolSize: e.SEARCH_DB_POOL_SIZE,
      applicationName: e.SEARCH_DB_APPLICATION_NAME,
      readUrls,
      replicas: { maxLagMs: e.REPLICA_MAX_LAG_MS, checkIntervalMs: e.REPLICA_CHECK_INTERVAL_MS, retryAfterMs: e.REPLICA_RETRY_MS },
    },
    embedder: {
      addresses,
      nextAddresses: e.EMBEDDER_NEXT_ADDRESSES.split(',').map((a) => a.trim()).filter(Boolean),
      queryTimeoutMs: e.EMBEDDER_QUERY_TIMEOUT_MS,
      passageTimeoutMs: e.EMBEDDER_PASSAGE_TIMEOUT_MS,
      breakerFailures: e.BREAKER_FAILURES,
      breakerHalfOpenMs: e.BREAKER_HALF_OPEN_MS,
      reconnectBackoffMaxMs: e.EMBEDDER_RECONNECT_BACKOFF_MAX_MS,
      tls: e.SEARCH_TLS_CA
        ? { caPath: e.SEARCH_TLS_CA, certPath: e.SEARCH_TLS_CERT, keyPath: e.SEARCH_TLS_KEY, serverNameOverride: e.EMBEDDER_TLS_SERVER_NAME }
        : undefined,
    },
    grpc: { host: e.SEARCH_GRPC_HOST, port: e.SEARCH_GRPC_PORT },
    http: { host: e.SEARCH_HTTP_HOST, port: e.SEARCH_HTTP_PORT },
    api: {
      host: e.SEARCH_API_HOST,
      port: e.SEARCH_API_PORT,
      tls: e.SEARCH_API_TLS_CERT ? { certPath: e.SEARCH_API_TLS_CERT, keyPath: e.SEARCH_API_TLS_KEY!, clientCaPath: e.SEARCH_API_TLS_CLIENT_CA } : undefined,
    },
    vectors: { hnswM: e.HNSW_M, hnswEfConstruction: e.HNSW_EF_CONSTRUCTION, hnswEfSearch: e.HNSW_EF_SEARCH },
    rotation: { autoCutover: e.ROTATION_AUTO_CUTOVER, pollMs: e.SERVING_POLL_MS },
    cache: { max: e.QUERY_CACHE_MAX, ttlMs: e.QUERY_CACHE_TTL_MS },
    ranking: {
      rrfK: e.RRF_K,
      candidateDepth: e.SEARCH_CANDIDATE_DEPTH,
      rerankDepth: e.SEARCH_RERANK_DEPTH,
      minScore: e.SEARCH_MIN_SCORE,
      scoreMargin: e.SEARCH_SCORE_MARGIN,
    },
    backfill: { intervalMs: e.BACKFILL_INTERVAL_MS, batch: e.BACKFILL_BATCH },
    passages: { maxWords: e.PASSAGE_MAX_WORDS, overlapWords: e.PASSAGE_OVERLAP_WORDS, maxBytes: e.PASSAGE_MAX_BYTES },
    limits: { maxDocuments: e.UPSERT_MAX_DOCUMENTS, maxContentBytes: e.UPSERT_MAX_CONTENT_BYTES, maxRequestBytes: e.SEARCH_MAX_REQUEST_BYTES },
    shutdownGraceMs: e.SEARCH_SHUTDOWN_GRACE_MS,
  };
}
