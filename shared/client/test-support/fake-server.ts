import * as grpc from '@grpc/grpc-js';
import { EmbedderService, EmbedResponse, InfoResponse, type EmbedRequest } from '../../generated/polysearch/embedder/v1/embedder.js';
import {
  DeleteResponse,
  GetResponse,
  SearchResponse,
  SearchService,
  StatsResponse,
  UpsertResponse,
} from '../../generated/polysearch/search/v1/search.js';

/** What the fake answers one call with: a status (with optional trailers), a response, or nothing at all. */
export type Reply =
  | { code: grpc.status; details?: string; trailers?: Record<string, string> }
  | { ok: unknown }
  | 'hang';

export interface Received {
  method: string;
  request: unknown;
  at: number;
  /** The deadline the client sent, as epoch ms (undefined: none). */
  deadline: number | undefined;
  metadata: grpc.Metadata;
}

/**
 * A Search + Embedder server on 127.0.0.1 (port 0) that answers from a script:
 * each call takes the next Reply for its method (the last one repeats), and
 * every call is recorded with its arrival time and deadline.
 */
export async function startFakeServer(credentials = grpc.ServerCredentials.createInsecure()) {
  const scripts = new Map<string, Reply[]>();
  const received: Received[] = [];
  // `ok` replies are partial messages, completed by their type.
  const responses: Record<string, { fromPartial: (p: never) => unknown }> = {
    search: SearchResponse,
    upsert: UpsertResponse,
    get: GetResponse,
    delete: DeleteResponse,
    stats: StatsResponse,
    embed: EmbedResponse,
    info: InfoResponse,
  };
  const defaults: Record<string, unknown> = { upsert: { inserted: 1 }, delete: { deleted: 1 }, info: { maxInputs: 64 } };
  const handler =
    (method: string) =>
    (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const deadline = call.getDeadline();
      received.push({
        method,
        request: call.request,
        at: Date.now(),
        deadline: deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? Number(deadline) : undefined,
        metadata: call.metadata,
      });
      const script = scripts.get(method) ?? [];
      const reply: Reply = (script.length > 1 ? script.shift() : script[0]) ?? { ok: defaults[method] ?? {} };
      if (reply === 'hang') return; // the client's deadline ends it
      if ('ok' in reply) return callback(null, responses[method].fromPartial(reply.ok as never));
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(reply.trailers ?? {})) metadata.set(k, v);
      callback({ code: reply.code, details: reply.details ?? grpc.status[reply.code], metadata } as grpc.ServiceError);
    };
  const server = new grpc.Server();
  server.addService(SearchService, Object.fromEntries(Object.keys(SearchService).map((m) => [m, handler(m)])));
  server.addService(EmbedderService, Object.fromEntries(Object.keys(EmbedderService).map((m) => [m, handler(m)])));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    received,
    /** Replies for the next calls of a method (the last one repeats). */
    script(method: string, ...replies: Reply[]) {
      scripts.set(method, replies);
    },
    calls: (method: string) => received.filter((r) => r.method === method),
    reset() {
      scripts.clear();
      received.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    forceStop: () => server.forceShutdown(),
  };
}

export type FakeServer = Awaited<ReturnType<typeof startFakeServer>>;
export type { EmbedRequest };
