import { startGrpcServer } from '../../../shared/grpc/server.js';
import { clientTls, readServerTlsFiles } from '../../../shared/grpc/tls.js';
import { startJsonApiServer } from '../../../shared/http/json-api-server.js';
import { startProbeServer } from '../../../shared/http/probe-server.js';
import { logger } from '../../../shared/logger.js';
import { BackfillWorker } from './backfill/backfill-worker.js';
import { QueryVectorCache } from './cache/query-vector-cache.js';
import type { SearchConfig } from './config.js';
import { DocumentCore } from './core/document-core.js';
import { InteractionsCore, rebuildTastesIn } from './core/personalization/interactions-core.js';
import { PersonalizeReranker } from './core/personalization/personalize.js';
import { ModelDirectory } from './core/rotation/model-directory.js';
import { servingQueryEmbedder } from './core/rotation/serving-embedder.js';
import { SearchCore } from './core/search-core.js';
import { EmbedderClient } from './embedder/embedder-client.js';
import { endpointOf } from './embedder/endpoint.js';
import { searchAdminHandlers, SearchAdminService } from './grpc/search-admin-service.js';
import { searchHandlers, SearchService } from './grpc/search-service.js';
import { searchRoutes } from './http/search-routes.js';
import { createSearchMetrics } from './metrics.js';
import { openDb, type Db } from './store/db.js';
import { ReplicatedSearchStore } from './store/replicated-search-store.js';
import { RoutedDb } from './store/routed-db.js';
import { SearchStore } from './store/search-store.js';

export interface SearchApp {
  grpcPort: number;
  httpPort: number;
  /** The HTTP/JSON API (SEARCH_API_PORT). */
  apiPort: number;
  backfill: BackfillWorker;
  embedder: EmbedderClient;
  models: ModelDirectory;
  shutdown: () => Promise<void>;
}

/**
 * Wires database → store → embedder client → cores → gRPC + HTTP API + probes. The
 * embedder being down at start-up is normal: search serves keyword results
 * and the backfill catches up when it returns.
 */
export async function startSearch(config: SearchConfig): Promise<SearchApp> {
  const metrics = createSearchMetrics();
  const db = await openDb({
    databaseUrl: config.database.url,
    dataDir: config.database.pgliteDataDir,
    poolMax: config.database.poolSize,
    applicationName: config.database.applicationName,
  });
  const storeConfig = {
    schema: config.database.schema,
    hnswM: config.vectors.hnswM,
    hnswEfConstruction: config.vectors.hnswEfConstruction,
    efSearch: config.vectors.hnswEfSearch,
    chunker: { wordsPerPassage: config.passages.maxWords, overlapWords: config.passages.overlapWords, maxPassageBytes: config.passages.maxBytes },
  };
  // With read replicas, Search/Get/Stats read through the router (store/routed-db.ts); the rest stays on `db`.
  const replicas: Db[] = [];
  for (const url of config.database.readUrls) {
    replicas.push(await openDb({ databaseUrl: url, poolMax: config.database.poolSize, applicationName: 'polysearch-search-read' }));
  }
  const router =
    replicas.length > 0
      ? new RoutedDb({
          primary: db,
          replicas,
          ...config.database.replicas,
          onRead: (target, reason) => metrics.dbReads.inc({ target, reason }),
          onReplicaLag: (replica, lagMs) => metrics.replicaLag.set({ replica }, lagMs / 1000),
        })
      : undefined;
  let store: SearchStore;
  if (router) {
    store = new ReplicatedSearchStore(router, storeConfig);
    await store.migrate();
    await router.start();
  } else {
    store = await SearchStore.open(db, storeConfig);
  }

  const tls = config.embedder.tls ? clientTls(config.embedder.tls) : undefined;
  const clientFor = (addresses: string[]) =>
    new EmbedderClient({ ...config.embedder, addresses, credentials: tls?.credentials, channelOptions: tls?.options });
  const embedder = clientFor(config.embedder.addresses);
  // During a rotation: the embedder of the next model, whose vectors are built beside the current ones.
  const nextEmbedder = config.embedder.nextAddresses.length > 0 ? clientFor(config.embedder.nextAddresses) : undefined;
  const models = new ModelDirectory({
    registry: store,
    endpoints: [endpointOf('current', embedder), ...(nextEmbedder ? [endpointOf('next', nextEmbedder)] : [])],
    autoCutover: config.rotation.autoCutover,
    beforeServing: (model) => rebuildTastesIn(store, model),
  });
  // Which models serve comes from the database (shared by replicas) and what the
  // embedders report; the backfill reconciles every pass. Down at start-up is fine.
  await models.reconcile().catch(async (err: unknown) => {
    logger.warn({ reason: (err as { reason?: string }).reason ?? 'error' }, 'serving models not reconciled at start-up; the backfill retries');
    await models.refresh();
  });
  // Every replica follows a cutover or rollback within one poll.
  const servingPoll = setInterval(() => void models.refresh().catch(() => undefined), config.rotation.pollMs);
  servingPoll.unref();
  const embedderMaxBytes = embedder.lastKnownInfo?.maxInputBytes ?? 0;
  if (embedderMaxBytes > 0 && embedderMaxBytes < config.passages.maxBytes) {
    // Not fatal (such passages are set aside, and the embedder may be reconfigured), but say what to change.
    logger.warn(
      { passageMaxBytes: config.passages.maxBytes, embedderMaxInputBytes: embedderMaxBytes },
      'PASSAGE_MAX_BYTES exceeds the embedder EMBEDDER_MAX_INPUT_BYTES: passages between the two will be refused and set aside',
    );
  }

  const cache = new QueryVectorCache({
    max: config.cache.max,
    ttlMs: config.cache.ttlMs,
    onLookup: (hit) => metrics.cacheLookups.inc({ result: hit ? 'hit' : 'miss' }),
  });
  const search = new SearchCore({
    index: store,
    embedder: servingQueryEmbedder(models),
    cache,
    metrics,
    settings: config.ranking,
    rerankers: [new PersonalizeReranker(store)],
  });
  const documents = new DocumentCore({
    store,
    models,
    metrics,
    maxDocuments: config.limits.maxDocuments,
    maxContentBytes: config.limits.maxContentBytes,
  });
  const interactions = new InteractionsCore({ store, index: store, servingModel: () => models.serving.current });
  const backfill = new BackfillWorker({ store, models, metrics, intervalMs: config.backfill.intervalMs, batch: config.backfill.batch });

  const grpc = await startGrpcServer({
    host: config.grpc.host,
    port: config.grpc.port,
    protoFiles: ['polysearch/search/v1/search.proto'],
    serviceNames: ['polysearch.search.v1.Search', 'polysearch.search.v1.SearchAdmin'],
    maxReceiveMessageBytes: config.limits.maxRequestBytes,
    register: (server) => {
      server.addService(SearchService, searchHandlers({ search, documents, interactions, models }));
      server.addService(SearchAdminService, searchAdminHandlers(models));
    },
  });
  let shuttingDown = false;
  // Ready = database reachable and migrated. The embedder is deliberately
  // not part of it: without it search degrades, it does not stop.
  const readiness = async () => {
    if (shuttingDown) return { ready: false, reason: 'shutting_down' };
    try {
      await db.query('SELECT 1');
      return { ready: true, reason: 'ready' };
    } catch {
      return { ready: false, reason: 'database_unreachable' };
    }
  };
  const http = await startProbeServer({ host: config.http.host, port: config.http.port, readiness, registry: metrics.registry });
  const api = await startJsonApiServer({
    host: config.api.host,
    port: config.api.port,
    routes: searchRoutes,
    deps: { search, documents },
    maxBodyBytes: config.limits.maxRequestBytes,
    tls: config.api.tls ? readServerTlsFiles(config.api.tls) : undefined,
    onResponse: (operation, code, seconds) => metrics.httpRequests.observe({ operation, code }, seconds),
  });
  grpc.setServing(true);

  const breakerTimer = setInterval(() => metrics.breakerOpen.set(embedder.breakerState === 'open' ? 1 : 0), 5_000);
  breakerTimer.unref();
  backfill.start();

  return {
    grpcPort: grpc.port,
    httpPort: http.port,
    apiPort: api.port,
    backfill,
    embedder,
    models,
    async shutdown() {
      shuttingDown = true;
      grpc.setServing(false);
      clearInterval(breakerTimer);
      clearInterval(servingPoll);
      // No new calls from here (gRPC or HTTP). Upserts in flight may embed for
      // the grace period, then store the rest pending; their writes get up to
      // another grace period (at least 5 s) before the servers close regardless.
      const writeMs = Math.max(config.shutdownGraceMs, 5_000);
      const serversStopped = Promise.all([grpc.shutdown(config.shutdownGraceMs + writeMs), api.close(config.shutdownGraceMs + writeMs)]);
      await Promise.all([documents.drain(config.shutdownGraceMs, writeMs), backfill.stop()]);
      await serversStopped;
      embedder.close();
      nextEmbedder?.close();
      await http.close();
      await router?.stop();
      await Promise.all(replicas.map((r) => r.close()));
      await db.close();
      logger.info('search stopped');
    },
  };
}
