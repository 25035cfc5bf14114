import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fuseAttention } from './attention-fusion.js';
import { AttrType, DataType, decodeModel, encodeModel, type ModelProto, type NodeProto, type TensorProto } from './onnx-model.js';
import { perSequenceQuantization } from './per-sequence-quantization.js';

/**
 * The graph the embedder runs, built from the exported int8 model at load:
 *
 *   if batch size == 1:  the export as is               (+ fused attention)
 *   else:                per-sequence activation quantization (+ fused attention)
 *
 * A text's vector is then the same alone and in any batch, and equal to what
 * the export itself computes for it alone (the per-sequence form reproduces
 * the export's arithmetic on one sequence; reference/vectors.json of the real
 * model are matched bit for bit). The batch-of-one branch exists for latency:
 * the per-sequence form adds ~1,100 small kernels per run, ~2 ms a lone query
 * would pay for nothing.
 *
 * Why each branch is optimized by onnxruntime first: the int8 pipeline is
 * chaotic at the last bit. One float rounding done differently anywhere
 * (e.g. Add+LayerNormalization instead of the fused SkipLayerNormalization)
 * flips some int8 roundings downstream, and after 12 layers the vector sits
 * at cosine ~0.997 from the export's, as far as a different quantization.
 * onnxruntime does not apply all of its fusions inside If branches (shape
 * information is missing there), so each branch is optimized as a main graph,
 * saved, and placed in the If already fused; the combined model is then
 * loaded without further optimization. Weights stay initializers of the
 * outer graph, read by both branches, so the model is held in memory once.
 */

export interface BuiltGraph {
  bytes: Uint8Array;
  /** The bytes are already optimized: load them with graphOptimizationLevel 'disabled'. */
  preOptimized: boolean;
  perSequence: boolean;
  attentionFused: boolean;
  /** Why a step was skipped, for the load log line. */
  notes: string[];
}

export interface BuildOptions {
  /** Attention heads (config.json); without it attention is left as exported. */
  numHeads?: number;
  /** Default true. */
  fuseAttention?: boolean;
  /** Default true. */
  perSequence?: boolean;
}

export async function buildBatchInvariantGraph(onnx: Uint8Array, options: BuildOptions = {}): Promise<BuiltGraph> {
  const notes: string[] = [];
  const base = decodeModel(onnx);
  let attentionFused = options.fuseAttention !== false && options.numHeads !== undefined;
  if (options.fuseAttention !== false && options.numHeads === undefined) notes.push('attention not fused: config.json has no num_attention_heads');
  const fuse = (m: ModelProto): ModelProto => {
    if (!attentionFused) return m;
    const r = fuseAttention(m, options.numHeads!);
    if (r.fused) return r.model;
    notes.push(`attention not fused: ${r.reason}`);
    attentionFused = false;
    return m;
  };

  const many = options.perSequence === false ? undefined : perSequenceQuantization(copyModel(base));
  if (!many?.rewritten) {
    if (many) notes.push(`per-sequence quantization skipped: ${many.reason}`);
    return { bytes: encodeModel(fuse(base)), preOptimized: false, perSequence: false, attentionFused, notes };
  }
  if (many.exact < many.products) notes.push(`${many.products - many.exact} of ${many.products} products exact only to float rounding (weights too large to bound)`);
  const batched = fuse(many.model);
  const single = fuse(copyModel(base));
  const dir = await mkdtemp(join(tmpdir(), 'polysearch-graph-'));
  try {
    const [one, n] = [await optimized(single, join(dir, 'single.onnx')), await optimized(batched, join(dir, 'batched.onnx'))];
    return { bytes: encodeModel(branchOnBatchSize(one, n)), preOptimized: true, perSequence: true, attentionFused, notes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A model sharing node and tensor objects, with lists of its own (the edits replace lists, never nodes). */
function copyModel(m: ModelProto): ModelProto {
  const g = m.graph!;
  return {
    ...m,
    opsetImport: [...(m.opsetImport ?? [])],
    graph: { ...g, node: [...(g.node ?? [])], initializer: [...(g.initializer ?? [])] },
  };
}

/**
 * The graph as onnxruntime would run it. 'extended' applies every fusion
 * 'all' does except layout changes this model has no use for.
 */
async function optimized(model: ModelProto, path: string): Promise<ModelProto> {
  const session = await ort.InferenceSession.create(encodeModel(model), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: path,
    intraOpNumThreads: 1,
    // Only the saved graph is wanted: skip packing weights for kernels that never run.
    extra: { session: { disable_prepacking: '1' } },
  });
  await session.release();
  return decodeModel(await readFile(path));
}

function sameTensor(a: TensorProto, b: TensorProto): boolean {
  const bytes = (t: TensorProto) => Buffer.from(t.rawData?.buffer ?? new ArrayBuffer(0), t.rawData?.byteOffset ?? 0, t.rawData?.byteLength ?? 0);
  const typed = (t: TensorProto) => (t.floatData?.length ?? 0) + (t.int32Data?.length ?? 0) + (t.int64Data?.length ?? 0) + (t.doubleData?.length ?? 0);
  return (
    a.dataType === b.dataType &&
    JSON.stringify((a.dims ?? []).map(Number)) === JSON.stringify((b.dims ?? []).map(Number)) &&
    typed(a) === 0 &&
    typed(b) === 0 &&
    bytes(a).equals(bytes(b))
  );
}

/**
 * One model: If(batch == 1, single, batched). Initializers identical in both
 * (the weights) live in the outer graph; the rest stay inside their branch.
 * Each branch's values are prefixed so the two subgraphs define disjoint names.
 */
function branchOnBatchSize(single: ModelProto, batched: ModelProto): ModelProto {
  const inputs = (single.graph!.input ?? []).map((i) => i.name!);
  const outputs = single.graph!.output ?? [];
  const fromBatched = new Map((batched.graph!.initializer ?? []).map((t) => [t.name!, t]));
  const shared = new Map<string, TensorProto>();
  for (const t of single.graph!.initializer ?? []) {
    const other = fromBatched.get(t.name!);
    if (other && sameTensor(t, other)) shared.set(t.name!, t);
  }
  const outer = new Set([...inputs, ...shared.keys()]);

  const branch = (m: ModelProto, prefix: string) => {
    const rename = (v: string) => (v === '' || outer.has(v) ? v : `${prefix}${v}`);
    const node: NodeProto[] = (m.graph!.node ?? []).map((n) => ({
      ...n,
      name: `${prefix}${n.name ?? ''}`,
      input: (n.input ?? []).map(rename),
      output: (n.output ?? []).map(rename),
    }));
    const initializer = (m.graph!.initializer ?? []).filter((t) => !shared.has(t.name!)).map((t) => ({ ...t, name: rename(t.name!) }));
    return { name: `${prefix}graph`, node, initializer, output: outputs.map((o) => ({ ...o, name: rename(o.name!) })) };
  };

  const scalar = (name: string, value: bigint): TensorProto => ({
    name,
    dataType: DataType.INT64,
    dims: [],
    rawData: new Uint8Array(BigInt64Array.of(value).buffer),
  });
  const zero = scalar('batch_branch/zero', 0n);
  const one = scalar('batch_branch/one', 1n);
  const nodes: NodeProto[] = [
    { opType: 'Shape', name: 'batch_branch/Shape', input: [inputs.includes('input_ids') ? 'input_ids' : inputs[0]], output: ['batch_branch/shape'] },
    {
      opType: 'Gather',
      name: 'batch_branch/Gather',
      input: ['batch_branch/shape', zero.name!],
      output: ['batch_branch/batch'],
      attribute: [{ name: 'axis', type: AttrType.INT, i: 0 }],
    },
    { opType: 'Equal', name: 'batch_branch/Equal', input: ['batch_branch/batch', one.name!], output: ['batch_branch/is_one'] },
    {
      opType: 'If',
      name: 'batch_branch/If',
      input: ['batch_branch/is_one'],
      output: outputs.map((o) => o.name!),
      attribute: [
        { name: 'then_branch', type: AttrType.GRAPH, g: branch(single, 'b1/') },
        { name: 'else_branch', type: AttrType.GRAPH, g: branch(batched, 'bn/') },
      ],
    },
  ];
  const opsets = new Map<string, number>();
  for (const m of [single, batched]) {
    for (const o of m.opsetImport ?? []) opsets.set(o.domain ?? '', Math.max(opsets.get(o.domain ?? '') ?? 0, Number(o.version)));
  }
  return {
    ...single,
    opsetImport: [...opsets].map(([domain, version]) => ({ domain, version })),
    graph: { name: 'batch_invariant', input: single.graph!.input, output: outputs, initializer: [...shared.values(), zero, one], node: nodes },
  };
}
