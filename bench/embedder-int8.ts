// What the int8 graph buys and what batch invariance costs: graph variants of
// one model (bench/embedder-graphs.ts) measured in one process, interleaved
// batch by batch so the shared machine's drift hits all alike:
//   - kernels onnxruntime actually runs (the optimized graph, op counts),
//   - conformance to reference/vectors.json and batch invariance (real model),
//   - passages/s on sorted batches of 32 of the mixed-length corpus,
//   - single-query latency.
//
//   npm run bench:embedder:int8 [-- --passages 128 --rounds 3 --threads 2 --queries 100
//                                  --variants int8,int8+mha,perseq,production,fp32,fp32+mha --profile --model DIR]
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { padBatch } from '../services/embedder/src/backend/batch.js';
import { decodeModel, type NodeProto } from '../services/embedder/src/backend/onnx-model.js';
import type { OnnxRunner } from '../services/embedder/src/backend/onnx-runner.js';
import { cosine } from '../test/support/embedder-client.js';
import { benchmarkCorpus, benchmarkQueries } from './embedder-corpus.js';
import { loadVariant, type GraphVariant } from './embedder-graphs.js';
import { benchModel, chunks, median } from './embedder-model.js';
import { percentile } from './stats.js';

process.env.LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    passages: { type: 'string', default: '128' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    queries: { type: 'string', default: '100' },
    variants: { type: 'string', default: 'int8,int8+mha,perseq,production,fp32,fp32+mha' },
    profile: { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});
const PASSAGES = Number(values.passages);
const ROUNDS = Number(values.rounds);
const THREADS = Number(values.threads);
const QUERIES = Number(values.queries);
const VARIANTS = values.variants.split(',') as GraphVariant[];
const note = (msg: string) => console.error(`· ${msg}`);

const bm = await benchModel(values.model);
note(`model ${bm.model.modelId} (${bm.real ? 'real weights' : 'fixture, random weights'}) from ${bm.dir}`);

// ---------------------------------------------------------------- load, op counts
const scratch = await mkdtemp(join(tmpdir(), 'bench-int8-'));
const runners = new Map<GraphVariant, OnnxRunner>();
const ops = new Map<GraphVariant, string>();
for (const v of VARIANTS) {
  const saved = join(scratch, `${v.replace(/\W/g, '_')}.onnx`);
  const t0 = performance.now();
  runners.set(v, await loadVariant(v, { onnxPath: bm.model.onnxPath, intraOpThreads: THREADS, numHeads: bm.model.numHeads, sessionOptions: { optimizedModelFilePath: saved } }));
  note(`loaded ${v} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  ops.set(v, opSummary(decodeModel(await readFile(saved)).graph!.node ?? []));
  await rm(saved, { force: true });
}

/** Kernel counts of an optimized graph (If branches counted separately: one of them runs). */
function opSummary(nodes: NodeProto[]): string {
  const branches = nodes.filter((n) => n.opType === 'If');
  if (branches.length === 1) {
    const [then, other] = ['then_branch', 'else_branch'].map((b) => branches[0].attribute!.find((a) => a.name === b)!.g!.node ?? []);
    return `batch 1: ${opSummary(then)} | batch >1: ${opSummary(other)}`;
  }
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.opType!, (counts.get(n.opType!) ?? 0) + 1);
  const shown = ['DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'MatMul', 'FusedMatMul', 'MultiHeadAttention', 'Softmax', 'Transpose', 'SkipLayerNormalization', 'LayerNormalization', 'QuantizeLinear'];
  const parts = shown.filter((k) => counts.has(k)).map((k) => `${k} ${counts.get(k)}`);
  return `${nodes.length} kernels (${parts.join(', ')})`;
}

// ---------------------------------------------------------------- conformance and batch invariance
interface ReferenceEntry {
  text: string;
  role: 'query' | 'passage';
  vector: number[];
}
const reference: ReferenceEntry[] = bm.real
  ? (JSON.parse(await readFile(join(bm.dir, 'reference', 'vectors.json'), 'utf8')) as { entries: ReferenceEntry[] }).entries
  : [];
const corpus = benchmarkCorpus();
const invarianceTexts = bm.real
  ? reference.slice(0, 32).map((e) => bm.encode(e.role, e.text))
  : corpus.slice(0, 32).map((p) => bm.encode('passage', p.text).slice(0, 128));
const quality = new Map<GraphVariant, { conformance?: number; invariance: number }>();
for (const [v, runner] of runners) {
  let conformance: number | undefined;
  const alone: Float32Array[] = [];
  if (bm.real) {
    conformance = 1;
    for (const e of reference) {
      const { vectors } = await runner.run(padBatch([bm.encode(e.role, e.text)], bm.tokenizer.padId));
      conformance = Math.min(conformance, cosine(vectors, e.vector));
    }
  }
  for (const s of invarianceTexts) alone.push((await runner.run(padBatch([s], bm.tokenizer.padId))).vectors);
  const { vectors, dims } = await runner.run(padBatch(invarianceTexts, bm.tokenizer.padId));
  const invariance = Math.min(...alone.map((a, i) => cosine(a, vectors.subarray(i * dims, (i + 1) * dims))));
  quality.set(v, { conformance, invariance });
}

// ---------------------------------------------------------------- throughput, interleaved per batch
const sorted = corpus.map((p) => bm.encode('passage', p.text)).sort((a, b) => a.length - b.length);
const step = sorted.length / Math.min(PASSAGES, sorted.length);
const sample = Array.from({ length: Math.min(PASSAGES, sorted.length) }, (_, i) => sorted[Math.floor(i * step)]);
const batches = chunks(sample, 32).map((b) => padBatch(b, bm.tokenizer.padId));
const realTokens = sample.reduce((n, s) => n + s.length, 0);
note(`throughput: ${sample.length} passages (${realTokens} tokens, sorted, ${batches.length} batches of 32) × ${ROUNDS} rounds`);
for (const runner of runners.values()) await runner.run(batches[0]);
// times[v][r][i]: variant v on batch i in round r. Variants run back to back on
// the same batch, so their per-batch ratios cancel most of the machine's drift.
const times = new Map<GraphVariant, number[][]>(VARIANTS.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const v of VARIANTS) times.get(v)!.push([]);
  for (const [i, batch] of batches.entries()) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const v = VARIANTS[(k + i + r) % VARIANTS.length];
      const t0 = performance.now();
      await runners.get(v)!.run(batch);
      times.get(v)![r][i] = performance.now() - t0;
    }
  }
  note(`round ${r + 1}/${ROUNDS} done`);
}
/** Seconds for the whole sample: per batch, the median over rounds. */
const seconds = (v: GraphVariant) => batches.reduce((sum, _, i) => sum + median(times.get(v)!.map((round) => round[i])), 0) / 1000;
/** Speed of v relative to `base`: median over every (round, batch) pair of base time / v time. */
const speedup = (v: GraphVariant, base: GraphVariant) =>
  median(times.get(v)!.flatMap((round, r) => round.map((t, i) => times.get(base)![r][i] / t)));

// ---------------------------------------------------------------- single query
const queries = benchmarkQueries(QUERIES).map((q) => bm.encode('query', q));
const latency = new Map<GraphVariant, number[]>(VARIANTS.map((v) => [v, []]));
for (const [i, q] of queries.entries()) {
  const batch = padBatch([q], bm.tokenizer.padId);
  for (const v of VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length])) {
    const t0 = performance.now();
    await runners.get(v)!.run(batch);
    latency.get(v)!.push(performance.now() - t0);
  }
}

// ---------------------------------------------------------------- optional per-op profile
const profiles: string[] = [];
if (values.profile) {
  for (const v of VARIANTS.filter((x) => x === 'int8' || x === 'fp32' || x === 'production')) {
    const prefix = join(scratch, `profile_${v}`);
    const runner = await loadVariant(v, { onnxPath: bm.model.onnxPath, intraOpThreads: THREADS, numHeads: bm.model.numHeads, sessionOptions: { enableProfiling: true, profileFilePrefix: prefix } });
    const mid = batches[Math.floor(batches.length / 2)];
    for (let i = 0; i < 2; i++) await runner.run(mid);
    await runner.release();
    const file = (await readdir(scratch)).find((f) => f.startsWith(`profile_${v}`))!;
    const events = JSON.parse(await readFile(join(scratch, file), 'utf8')) as { cat: string; name: string; dur: number; args: { op_name?: string } }[];
    const byOp = new Map<string, number>();
    let total = 0;
    for (const e of events) {
      // If's time contains its branch's kernels, which are reported too.
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.args.op_name === 'If') continue;
      byOp.set(e.args.op_name!, (byOp.get(e.args.op_name!) ?? 0) + e.dur);
      total += e.dur;
    }
    const top = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 8);
    profiles.push(`${v.padEnd(12)} ${top.map(([k, d]) => `${k} ${((100 * d) / total).toFixed(0)}%`).join(', ')}`);
  }
}
await rm(scratch, { recursive: true, force: true });

// ---------------------------------------------------------------- report
const baseVariant: GraphVariant = VARIANTS.includes('int8') ? 'int8' : VARIANTS[0];
console.log(
  `\nint8 graph variants — ${bm.model.modelId}${bm.real ? '' : ' (fixture)'}, ${THREADS} intra-op threads, ${sample.length} passages / ${realTokens} tokens ` +
    `sorted in batches of 32, ${ROUNDS} rounds; ratios are medians of per-batch ratios (variants run back to back on each batch)`,
);
console.log('');
const head = ['variant', 'passages/s', 'tokens/s', `speed vs ${baseVariant}`, 'speed vs fp32', 'query p50', 'conformance min cos', 'alone vs batch-32 min cos'];
console.log(head.join(' | '));
console.log(head.map(() => '---').join(' | '));
for (const v of VARIANTS) {
  const t = seconds(v);
  const q = quality.get(v)!;
  console.log(
    [
      v,
      (sample.length / t).toFixed(1),
      (realTokens / t).toFixed(0),
      `${speedup(v, baseVariant).toFixed(2)}×`,
      VARIANTS.includes('fp32') ? `${speedup(v, 'fp32').toFixed(2)}×` : '—',
      `${percentile(latency.get(v)!, 50).toFixed(2)} ms`,
      q.conformance === undefined ? '— (fixture)' : q.conformance.toFixed(6),
      q.invariance.toFixed(6),
    ].join(' | '),
  );
}
console.log('');
for (const v of VARIANTS) console.log(`${v.padEnd(12)} ${ops.get(v)}`);
if (profiles.length) {
  console.log('\nkernel time by op (one mid-length batch of 32):');
  for (const p of profiles) console.log(p);
}
for (const r of runners.values()) await r.release();
