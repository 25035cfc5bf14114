// The embedder against its peers, in one run on the same model directory and
// the same mixed-length multilingual corpus (bench/embedder-corpus.ts):
//   in-process   the project's own tokenizer + ONNX runner, sorted batches of 32
//   gRPC         the embedder service as users run it (a process, N callers
//                sending requests of 16 passages in corpus order)
//   transformers.js  @huggingface/transformers feature-extraction pipeline on
//                the same directory, offline, sorted batches of 32
// Throughput rounds rotate the contenders' order and single-query calls are
// interleaved one by one, so the shared machine's drift hits all alike; the
// table reports medians and ratios, which drift much less than absolutes.
// Real multilingual-e5-small when it sits beside the checkout, else the
// e5-small-shaped fixture (random weights, the real model's cost).
//
//   npm run bench:embedder [-- --passages 512 --rounds 2 --queries 200 --callers 4 --request 16
//                             --threads 2 --unsorted --no-transformers --model DIR]
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { padBatch } from '../services/embedder/src/backend/batch.js';
import { OnnxRunner } from '../services/embedder/src/backend/onnx-runner.js';
import type { Role } from '../services/embedder/src/model/profile.js';
import { embedderClient, InputType } from '../test/support/embedder-client.js';
import { httpStatus, startServiceProcess, waitFor } from '../test/support/service-process.js';
import { benchmarkCorpus, benchmarkQueries } from './embedder-corpus.js';
import { benchModel, chunks, median } from './embedder-model.js';
import { percentile } from './stats.js';

process.env.LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    passages: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '2' },
    queries: { type: 'string', default: '200' },
    callers: { type: 'string', default: '4' },
    request: { type: 'string', default: '16' },
    threads: { type: 'string', default: '2' },
    unsorted: { type: 'boolean', default: false },
    'no-transformers': { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});
const int = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const PASSAGES = int('passages', values.passages);
const ROUNDS = int('rounds', values.rounds);
const QUERIES = int('queries', values.queries);
const CALLERS = int('callers', values.callers);
const REQUEST = int('request', values.request);
const THREADS = int('threads', values.threads);
const note = (msg: string) => console.error(`· ${msg}`);

const bm = await benchModel(values.model);
note(`model ${bm.model.modelId} (${bm.real ? 'real weights' : 'fixture, random weights'}) from ${bm.dir}`);
const corpus = benchmarkCorpus(PASSAGES).map((p) => p.text);
const tokens = corpus.map((t) => bm.encode('passage', t).length);
const realTokens = tokens.reduce((a, b) => a + b, 0);
const queries = benchmarkQueries(QUERIES);

// ---------------------------------------------------------------- contenders
interface Contender {
  name: string;
  /** Embeds the whole corpus; resolves when every vector is back. */
  corpus(): Promise<void>;
  query(text: string): Promise<unknown>;
  close(): Promise<void>;
  /** Padded tokens of the last corpus pass, when known. */
  padded?: () => Promise<number | undefined>;
}

const runner = await OnnxRunner.load({ onnxPath: bm.model.onnxPath, intraOpThreads: THREADS, numHeads: bm.model.numHeads });
note(`in-process runner loaded (${runner.graph} graph)`);
const direct = (texts: string[], role: Role) => runner.run(padBatch(texts.map((t) => bm.encode(role, t)), bm.tokenizer.padId));
const sortedOrder = corpus.map((_, i) => i).sort((a, b) => tokens[a] - tokens[b]);
const paddedOf = (order: number[]) => chunks(order, 32).reduce((n, b) => n + b.length * Math.max(...b.map((i) => tokens[i])), 0);

const contenders: Contender[] = [
  {
    name: 'in-process, sorted batches of 32',
    corpus: async () => {
      for (const b of chunks(sortedOrder, 32)) await direct(b.map((i) => corpus[i]), 'passage');
    },
    query: (q) => direct([q], 'query'),
    close: () => runner.release(),
    padded: async () => paddedOf(sortedOrder),
  },
];
if (values.unsorted) {
  const inOrder = corpus.map((_, i) => i);
  contenders.push({
    name: 'in-process, corpus-order batches of 32',
    corpus: async () => {
      for (const b of chunks(corpus, 32)) await direct(b, 'passage');
    },
    query: (q) => direct([q], 'query'),
    close: async () => undefined,
    padded: async () => paddedOf(inOrder),
  });
}

const service = await startServiceProcess(
  'services/embedder/src/main.ts',
  {
    ...bm.env,
    EMBEDDER_GRPC_PORT: '0',
    EMBEDDER_HTTP_PORT: '0',
    EMBEDDER_GRPC_HOST: '127.0.0.1',
    EMBEDDER_HTTP_HOST: '127.0.0.1',
    EMBEDDER_INTRA_OP_THREADS: String(THREADS),
    LOG_LEVEL: 'info',
  },
  'embedder listening',
  120_000,
);
const httpPort = service.listening.httpPort as number;
await waitFor(async () => (await httpStatus(httpPort, '/readyz')) === 200, 300_000, 200);
note('embedder service ready');
const client = embedderClient(service.listening.grpcPort as number);
/** Sum of a Prometheus counter family from /metrics (0 when absent). */
async function counter(name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}
let servicePadded: number | undefined;
contenders.push({
  name: `gRPC service, ${CALLERS} callers × ${REQUEST} passages`,
  corpus: async () => {
    const before = await counter('embedder_padded_tokens_total');
    let next = 0;
    const caller = async () => {
      for (;;) {
        const at = next;
        next += REQUEST;
        if (at >= corpus.length) return;
        await client.embed({ texts: corpus.slice(at, at + REQUEST), inputType: InputType.INPUT_TYPE_PASSAGE }, 600_000);
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
    servicePadded = (await counter('embedder_padded_tokens_total')) - before;
  },
  query: (q) => client.embed({ texts: [q], inputType: InputType.INPUT_TYPE_QUERY }),
  close: async () => {
    client.close();
    await service.stop();
  },
  padded: async () => servicePadded || undefined,
});

if (!values['no-transformers']) {
  const { env, pipeline } = await import('@huggingface/transformers');
  // The same directory from disk, never the hub.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(bm.dir)}/`;
  const extractor = await pipeline('feature-extraction', basename(bm.dir), {
    dtype: 'q8',
    device: 'cpu',
    session_options: { intraOpNumThreads: THREADS, interOpNumThreads: 1 },
  });
  note('transformers.js pipeline loaded');
  const embed = (texts: string[]) => extractor(texts, { pooling: 'mean', normalize: true });
  contenders.push({
    name: 'transformers.js, sorted batches of 32',
    corpus: async () => {
      for (const b of chunks(sortedOrder, 32)) await embed(b.map((i) => bm.profile.format('passage', corpus[i])));
    },
    query: (q) => embed([bm.profile.format('query', q)]),
    close: () => extractor.dispose(),
    padded: async () => paddedOf(sortedOrder),
  });
}

// ---------------------------------------------------------------- warm-up
for (const c of contenders) for (const q of queries.slice(0, 10)) await c.query(q);

// ---------------------------------------------------------------- single query, interleaved call by call
const latency = contenders.map(() => [] as number[]);
for (const [i, q] of queries.entries()) {
  for (let k = 0; k < contenders.length; k++) {
    const c = (k + i) % contenders.length;
    const t0 = performance.now();
    await contenders[c].query(q);
    latency[c].push(performance.now() - t0);
  }
}
note(`single query: ${queries.length} calls each`);

// ---------------------------------------------------------------- throughput, rounds in rotating order
const walls = contenders.map(() => [] as number[]);
const padded = contenders.map(() => undefined as number | undefined);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < contenders.length; k++) {
    const c = (k + r) % contenders.length;
    const t0 = performance.now();
    await contenders[c].corpus();
    walls[c].push(performance.now() - t0);
    padded[c] = await contenders[c].padded?.();
    note(`round ${r + 1}/${ROUNDS}: ${contenders[c].name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

// ---------------------------------------------------------------- report
const pps = walls.map((w) => corpus.length / (median(w) / 1000));
const tps = walls.map((w) => realTokens / (median(w) / 1000));
const inProcess = 0;
const tjs = contenders.findIndex((c) => c.name.startsWith('transformers.js'));
console.log(
  `\nembedder peers — ${bm.model.modelId}${bm.real ? '' : ' (fixture, random weights)'}, ${THREADS} intra-op threads each, ` +
    `${corpus.length} passages / ${realTokens} tokens (9 languages), median of ${ROUNDS} rounds; ${queries.length} single queries`,
);
console.log('');
console.log('contender | wall | passages/s | tokens/s | padded/real tokens | vs in-process | vs transformers.js');
console.log('--- | --- | --- | --- | --- | --- | ---');
contenders.forEach((c, i) => {
  console.log(
    [
      c.name,
      `${(median(walls[i]) / 1000).toFixed(1)} s`,
      pps[i].toFixed(1),
      tps[i].toFixed(0),
      padded[i] ? (padded[i]! / realTokens).toFixed(2) : '—',
      `${(pps[i] / pps[inProcess]).toFixed(2)}×`,
      tjs >= 0 ? `${(pps[i] / pps[tjs]).toFixed(2)}×` : '—',
    ].join(' | '),
  );
});
console.log('');
console.log('single query | p50 | p99 | p50 vs in-process');
console.log('--- | --- | --- | ---');
const base = percentile(latency[inProcess], 50);
contenders.forEach((c, i) => {
  const p50 = percentile(latency[i], 50);
  console.log([c.name.split(',')[0], `${p50.toFixed(2)} ms`, `${percentile(latency[i], 99).toFixed(2)} ms`, `${(p50 / base).toFixed(2)}×`].join(' | '));
});
for (const c of contenders) await c.close();
