// ONNX Runtime thread settings for the embedder under a mixed workload:
// passages streaming in (callers sending requests of 16 back to back) while
// single queries arrive on their own clock, as search does while an ingest
// runs. Each setting runs the real service process; rounds alternate the
// settings' order so the shared machine's drift hits all alike.
//   intra-op threads  EMBEDDER_INTRA_OP_THREADS
//   spinning          EMBEDDER_ORT_SPINNING
//   inter-op          measured in-process (sequential vs parallel executor):
//                     the embedder runs one inference at a time, so this is
//                     only about parallel branches inside the graph
//
//   npm run bench:embedder:threads [-- --threads 1,2,4 --seconds 30 --rounds 2 --query-every 250 --callers 2 --model DIR]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { padBatch } from '../services/embedder/src/backend/batch.js';
import { OnnxRunner } from '../services/embedder/src/backend/onnx-runner.js';
import { embedderClient, InputType } from '../test/support/embedder-client.js';
import { httpStatus, startServiceProcess, waitFor } from '../test/support/service-process.js';
import { benchmarkCorpus, benchmarkQueries } from './embedder-corpus.js';
import { benchModel, chunks, median } from './embedder-model.js';
import { percentile } from './stats.js';

process.env.LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '2' },
    'query-every': { type: 'string', default: '250' },
    callers: { type: 'string', default: '2' },
    model: { type: 'string' },
  },
});
const THREADS = values.threads.split(',').map(Number);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const QUERY_EVERY = Number(values['query-every']);
const CALLERS = Number(values.callers);
const note = (msg: string) => console.error(`· ${msg}`);

const bm = await benchModel(values.model);
note(`model ${bm.model.modelId} (${bm.real ? 'real weights' : 'fixture'}), ${cpus().length} cores`);
const corpus = benchmarkCorpus().map((p) => p.text);
const queries = benchmarkQueries(400);

interface Setting {
  threads: number;
  spinning: boolean;
}
interface Sample {
  idleP50: number;
  loadedP50: number;
  loadedP99: number;
  /** Queries under load that failed (deadline exceeded behind queued passages, queue full). */
  failed: number;
  passagesPerSecond: number;
}
const settings: Setting[] = THREADS.flatMap((threads) => [false, true].map((spinning) => ({ threads, spinning })));
const label = (s: Setting) => `${s.threads} thread${s.threads > 1 ? 's' : ''}, spinning ${s.spinning ? 'on' : 'off'}`;

async function measure(s: Setting): Promise<Sample> {
  const service = await startServiceProcess(
    'services/embedder/src/main.ts',
    {
      ...bm.env,
      EMBEDDER_GRPC_PORT: '0',
      EMBEDDER_HTTP_PORT: '0',
      EMBEDDER_GRPC_HOST: '127.0.0.1',
      EMBEDDER_HTTP_HOST: '127.0.0.1',
      EMBEDDER_INTRA_OP_THREADS: String(s.threads),
      EMBEDDER_ORT_SPINNING: String(s.spinning),
      LOG_LEVEL: 'info',
    },
    'embedder listening',
    120_000,
  );
  const client = embedderClient(service.listening.grpcPort as number);
  try {
    await waitFor(async () => (await httpStatus(service.listening.httpPort as number, '/readyz')) === 200, 300_000, 200);
    const query = async (i: number) => {
      const t0 = performance.now();
      await client.embed({ texts: [queries[i % queries.length]], inputType: InputType.INPUT_TYPE_QUERY });
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) await query(i);
    const idle: number[] = [];
    for (let i = 0; i < 60; i++) idle.push(await query(i));

    // Mixed: passages back to back from CALLERS callers, queries on a clock.
    const until = performance.now() + SECONDS * 1000;
    let passages = 0;
    let cursor = 0;
    const caller = async () => {
      while (performance.now() < until) {
        const at = cursor;
        cursor = (cursor + 16) % corpus.length;
        const texts = corpus.slice(at, at + 16);
        await client.embed({ texts, inputType: InputType.INPUT_TYPE_PASSAGE }, 120_000);
        passages += texts.length;
      }
    };
    let failed = 0;
    // A query that fails under load counts as failed, not as a latency.
    const loaded: Promise<number | undefined>[] = [];
    const tryQuery = (i: number) =>
      query(i).catch(() => {
        failed++;
        return undefined;
      });
    const started = performance.now();
    const callers = Array.from({ length: CALLERS }, caller);
    for (let i = 0; performance.now() < until; i++) {
      loaded.push(tryQuery(i));
      await new Promise((r) => setTimeout(r, QUERY_EVERY));
    }
    await Promise.all(callers);
    const elapsed = (performance.now() - started) / 1000;
    const latencies = (await Promise.all(loaded)).filter((x): x is number => x !== undefined);
    return {
      idleP50: percentile(idle, 50),
      loadedP50: latencies.length ? percentile(latencies, 50) : NaN,
      loadedP99: latencies.length ? percentile(latencies, 99) : NaN,
      failed,
      passagesPerSecond: passages / elapsed,
    };
  } finally {
    client.close();
    await service.stop();
  }
}

const samples = new Map<Setting, Sample[]>(settings.map((s) => [s, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const s of r % 2 ? [...settings].reverse() : settings) {
    const sample = await measure(s);
    samples.get(s)!.push(sample);
    note(`round ${r + 1}: ${label(s)}: ${sample.passagesPerSecond.toFixed(1)} passages/s, query p50 ${sample.loadedP50.toFixed(1)} ms under load, ${sample.failed} failed`);
  }
}

// Inter-op: the same graph in-process, sequential vs parallel executor.
const runners = {
  sequential: await OnnxRunner.load({ onnxPath: bm.model.onnxPath, intraOpThreads: 2, numHeads: bm.model.numHeads }),
  parallel: await OnnxRunner.load({
    onnxPath: bm.model.onnxPath,
    intraOpThreads: 2,
    numHeads: bm.model.numHeads,
    sessionOptions: { executionMode: 'parallel', interOpNumThreads: 2 },
  }),
};
const sorted = corpus.map((t) => bm.encode('passage', t)).sort((a, b) => a.length - b.length);
const sample = chunks(sorted.filter((_, i) => i % 8 === 0), 32).map((b) => padBatch(b, bm.tokenizer.padId));
const interOp = { sequential: { q: [] as number[], batch: [] as number[] }, parallel: { q: [] as number[], batch: [] as number[] } };
for (let i = 0; i < 100; i++) {
  const q = padBatch([bm.encode('query', queries[i])], bm.tokenizer.padId);
  for (const k of (i % 2 ? ['parallel', 'sequential'] : ['sequential', 'parallel']) as (keyof typeof runners)[]) {
    const t0 = performance.now();
    await runners[k].run(q);
    interOp[k].q.push(performance.now() - t0);
  }
}
for (let r = 0; r < 2; r++) {
  for (const b of sample) {
    for (const k of (r % 2 ? ['parallel', 'sequential'] : ['sequential', 'parallel']) as (keyof typeof runners)[]) {
      const t0 = performance.now();
      await runners[k].run(b);
      interOp[k].batch.push(performance.now() - t0);
    }
  }
}
await runners.sequential.release();
await runners.parallel.release();

console.log(
  `\nthread settings — ${bm.model.modelId}${bm.real ? '' : ' (fixture)'}, ${cpus().length} cores; mixed load: ${CALLERS} callers × 16 passages back to back ` +
    `+ one query every ${QUERY_EVERY} ms for ${SECONDS} s; median of ${ROUNDS} rounds`,
);
console.log('');
console.log('setting | passages/s under load | query p50 under load | query p99 under load | queries failed under load | query p50 idle');
console.log('--- | --- | --- | --- | --- | ---');
for (const s of settings) {
  const xs = samples.get(s)!;
  const m = (f: (x: Sample) => number) => median(xs.map(f));
  console.log(
    [
      label(s),
      m((x) => x.passagesPerSecond).toFixed(1),
      `${m((x) => x.loadedP50).toFixed(1)} ms`,
      `${m((x) => x.loadedP99).toFixed(1)} ms`,
      xs.map((x) => x.failed).join('+'),
      `${m((x) => x.idleP50).toFixed(2)} ms`,
    ].join(' | '),
  );
}
console.log('');
console.log('inter-op (in-process, 2 intra-op threads) | query p50 | sorted batch of 32, median');
console.log('--- | --- | ---');
for (const k of ['sequential', 'parallel'] as const) {
  console.log(`${k === 'sequential' ? 'sequential executor, 1 inter-op thread' : 'parallel executor, 2 inter-op threads'} | ${percentile(interOp[k].q, 50).toFixed(2)} ms | ${median(interOp[k].batch).toFixed(0)} ms`);
}
