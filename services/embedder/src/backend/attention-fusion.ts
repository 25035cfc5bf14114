import { DataType, GraphEditor, tensorDims, tensorValues, type ModelProto, type NodeProto, type TensorProto } from './onnx-model.js';

/**
 * Replaces each self-attention block of a BERT-style export, written as
 *   Reshape→Transpose (Q, K, V) → MatMul(Q, Kᵀ) → Mul(scale) → Add(mask bias)
 *   → Softmax → MatMul(·, V) → Transpose → Reshape
 * with one com.microsoft MultiHeadAttention reading the padding mask.
 *
 * onnxruntime fuses attention itself only for float graphs whose projections
 * are plain MatMul+Add; after dynamic quantization the pattern no longer
 * matches, so the int8 model ran attention as ~10 separate kernels per layer
 * with a [batch, heads, seq, seq] mask Add and four transposes. With a padding
 * mask, the CPU kernel takes its non-flash path: the same scaled GEMM,
 * softmax routine and second GEMM, so results do not change.
 */

export type AttentionFusionResult = { fused: true; model: ModelProto; blocks: number } | { fused: false; reason: string };

const MS_DOMAIN = 'com.microsoft';

interface Block {
  qProj: string;
  kProj: string;
  vProj: string;
  scale: number;
  output: string;
  nodes: NodeProto[];
}

export function fuseAttention(model: ModelProto, numHeads: number): AttentionFusionResult {
  const g = new GraphEditor(model);
  if (!g.inputNames().includes('attention_mask')) return { fused: false, reason: 'the graph has no attention_mask input' };
  const softmaxes = g.graphNodes.filter((n) => n.opType === 'Softmax' && !n.domain);
  if (softmaxes.length === 0) return { fused: false, reason: 'no Softmax in the graph' };
  const blocks: Block[] = [];
  for (const softmax of softmaxes) {
    const block = matchBlock(g, softmax);
    if (typeof block === 'string') return { fused: false, reason: `${softmax.name}: ${block}` };
    blocks.push(block);
  }

  const mask = g.node('Cast', ['attention_mask'], { name: 'mha/key_padding_mask', attrs: { to: DataType.INT32 } });
  g.prepend([mask]);
  for (const b of blocks) {
    const mha = g.node('MultiHeadAttention', [b.qProj, b.kProj, b.vProj, '', mask.output![0]], {
      name: `${b.output}/mha`,
      domain: MS_DOMAIN,
      outputs: [b.output],
      attrs: { num_heads: numHeads, scale: { float: b.scale }, mask_filter_value: { float: -3.4028234663852886e38 } },
    });
    g.replace(b.nodes, [mha], 'last');
  }
  removeDeadNodes(g);
  g.importDomain(MS_DOMAIN, 1);
  return { fused: true, model: g.finish(), blocks: blocks.length };
}

function only(g: GraphEditor, value: string): NodeProto | undefined {
  const readers = g.consumers(value);
  return readers.length === 1 && !g.isGraphOutput(value) ? readers[0] : undefined;
}

function perm(n: NodeProto): string {
  return JSON.stringify((n.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number) ?? []);
}

/** Reshape(x) → Transpose(perm) feeding `into`; returns x and both nodes. */
function headSplit(g: GraphEditor, value: string, expectedPerm: string): { source: string; nodes: NodeProto[] } | undefined {
  const t = g.producer(value);
  if (!t || t.opType !== 'Transpose' || perm(t) !== expectedPerm || !only(g, value)) return undefined;
  const r = g.producer(t.input![0]);
  if (!r || r.opType !== 'Reshape' || !only(g, t.input![0])) return undefined;
  return { source: r.input![0], nodes: [r, t] };
}

function scalarOf(g: GraphEditor, value: string): number | undefined {
  let t: TensorProto | undefined = g.initializers.get(value);
  if (!t) {
    const c = g.producer(value);
    if (c?.opType === 'Constant') t = c.attribute?.find((a) => a.name === 'value')?.t ?? undefined;
  }
  if (!t || t.dataType !== DataType.FLOAT || tensorDims(t).reduce((a, b) => a * b, 1) !== 1) return undefined;
  return (tensorValues(t) as Float32Array)[0];
}

function dependsOn(g: GraphEditor, value: string, input: string, seen = new Set<string>()): boolean {
  if (value === input) return true;
  if (seen.has(value)) return false;
  seen.add(value);
  const p = g.producer(value);
  return !!p && (p.input ?? []).some((i) => i && dependsOn(g, i, input, seen));
}

function matchBlock(g: GraphEditor, softmax: NodeProto): Block | string {
  const axis = Number(softmax.attribute?.find((a) => a.name === 'axis')?.i ?? -1);
  if (axis !== -1 && axis !== 3) return 'softmax is not over the last axis';
  const add = g.producer(softmax.input![0]);
  if (!add || add.opType !== 'Add' || !only(g, add.output![0])) return 'softmax input is not Add(scores, mask bias)';
  // The scaled scores: Mul(MatMul(Q, Kᵀ), scalar constant); the other input is the mask bias.
  const isScaledScores = (v: string) => {
    const m = g.producer(v);
    return m?.opType === 'Mul' && m.input!.some((i) => g.producer(i)?.opType === 'MatMul') && m.input!.some((i) => scalarOf(g, i) !== undefined);
  };
  const mulFirst = isScaledScores(add.input![0]) ? 0 : isScaledScores(add.input![1]) ? 1 : -1;
  if (mulFirst < 0) return 'scores are not MatMul(Q, Kᵀ) scaled by a constant Mul';
  const scaled = add.input![mulFirst];
  const maskBias = add.input![1 - mulFirst];
  if (!dependsOn(g, maskBias, 'attention_mask')) return 'the additive bias does not come from attention_mask';
  const mul = g.producer(scaled)!;
  if (!only(g, scaled)) return 'scaled scores have other readers';
  const scoresIdx = g.producer(mul.input![0])?.opType === 'MatMul' ? 0 : 1;
  const scale = scalarOf(g, mul.input![1 - scoresIdx]);
  if (scale === undefined) return 'score scale is not a float constant';
  const qk = g.producer(mul.input![scoresIdx]);
  if (!qk || qk.opType !== 'MatMul' || !only(g, qk.output![0])) return 'scores are not MatMul(Q, Kᵀ)';
  const q = headSplit(g, qk.input![0], '[0,2,1,3]');
  const k = headSplit(g, qk.input![1], '[0,2,3,1]');
  if (!q || !k) return 'Q or K is not Reshape→Transpose of a projection';
  const pv = only(g, softmax.output![0]);
  if (!pv || pv.opType !== 'MatMul' || pv.input![0] !== softmax.output![0]) return 'probabilities are not multiplied by V';
  const v = headSplit(g, pv.input![1], '[0,2,1,3]');
  if (!v) return 'V is not Reshape→Transpose of a projection';
  const tOut = only(g, pv.output![0]);
  if (!tOut || tOut.opType !== 'Transpose' || perm(tOut) !== '[0,2,1,3]') return 'context is not transposed back';
  const rOut = only(g, tOut.output![0]);
  if (!rOut || rOut.opType !== 'Reshape') return 'context is not reshaped to hidden size';
  return {
    qProj: q.source,
    kProj: k.source,
    vProj: v.source,
    scale,
    output: rOut.output![0],
    nodes: [...q.nodes, ...k.nodes, ...v.nodes, qk, mul, add, softmax, pv, tOut, rOut],
  };
}

/** Drops nodes whose outputs nobody reads any more (the reshape-shape arithmetic of fused blocks). */
function removeDeadNodes(g: GraphEditor): void {
  for (;;) {
    const read = new Set<string>();
    for (const n of g.graphNodes) for (const i of n.input ?? []) read.add(i);
    const dead = g.graphNodes.filter((n) => (n.output ?? []).every((o) => !read.has(o) && !g.isGraphOutput(o)));
    if (dead.length === 0) return;
    g.remove(dead);
  }
}
