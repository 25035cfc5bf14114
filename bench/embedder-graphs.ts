import { readFile } from 'node:fs/promises';
import type * as ort from 'onnxruntime-node';
import { DataType, decodeModel, encodeModel, GraphEditor, tensorDims, tensorValues, type NodeProto } from '../services/embedder/src/backend/onnx-model.js';
import { OnnxRunner } from '../services/embedder/src/backend/onnx-runner.js';
import { fuseAttention } from '../services/embedder/src/backend/attention-fusion.js';
import { findDynamicQuantization, perSequenceQuantization } from '../services/embedder/src/backend/per-sequence-quantization.js';

/**
 * Graph variants of one int8 model for benchmarks, all built from the same
 * file so that only the variable under test differs:
 *   int8      the export as shipped (per-tensor dynamic quantization)
 *   perseq    per-sequence activation quantization (the rewrite production runs for batches)
 *   fp32      the same weights dequantized at load, float MatMul (the int8 gain's baseline)
 */
type Base = 'int8' | 'perseq' | 'fp32';
/**
 * A base variant, optionally with attention fused into MultiHeadAttention
 * (`+mha`), or `production`: what the embedder builds at load.
 */
export type GraphVariant = Base | `${Base}+mha` | 'production';

/** A runner on a variant; `production` is the embedder's own loading path. */
export async function loadVariant(
  variant: GraphVariant,
  options: { onnxPath: string; intraOpThreads: number; numHeads?: number; allowSpinning?: boolean; sessionOptions?: ort.InferenceSession.SessionOptions },
): Promise<OnnxRunner> {
  if (variant === 'production') return OnnxRunner.load(options);
  return OnnxRunner.load({ ...options, graph: await graphBytes(options.onnxPath, variant, options.numHeads) });
}

export async function graphBytes(onnxPath: string, variant: Exclude<GraphVariant, 'production'>, numHeads = 12): Promise<Uint8Array> {
  const bytes = await readFile(onnxPath);
  if (variant === 'int8') return bytes;
  const [base, extra] = variant.split('+') as [Base, string | undefined];
  let model = decodeModel(bytes);
  if (base === 'fp32') model = dequantized(model);
  if (base === 'perseq') {
    const result = perSequenceQuantization(model);
    if (!result.rewritten) throw new Error(`cannot build ${variant}: ${result.reason}`);
    model = result.model;
  }
  if (extra === 'mha') {
    const result = fuseAttention(model, numHeads);
    if (!result.fused) throw new Error(`cannot build ${variant}: ${result.reason}`);
    model = result.model;
  }
  return encodeModel(model);
}

/** Every quantized weight product as a float MatMul with (W − Wzp)·ws. */
function dequantized(model: ReturnType<typeof decodeModel>) {
  const g = new GraphEditor(model);
  const sites = findDynamicQuantization(g);
  if (typeof sites === 'string') throw new Error(`cannot build fp32: ${sites}`);
  for (const site of sites) {
    const x = site.dql.input![0];
    const removed: NodeProto[] = [site.dql];
    const added: NodeProto[] = [];
    for (const p of site.products) {
      const wt = g.initializers.get(p.weight)!;
      const [k, n] = tensorDims(wt);
      const w = tensorValues(wt) as Int8Array | Uint8Array;
      const zpT = p.weightZeroPoint ? g.initializers.get(p.weightZeroPoint) : undefined;
      const zp = zpT ? (tensorValues(zpT) as Int8Array | Uint8Array) : Int8Array.of(0);
      const ws = tensorValues(g.initializers.get(p.weightScale)!) as Float32Array;
      const f = new Float32Array(k * n);
      for (let r = 0; r < k; r++) {
        for (let c = 0; c < n; c++) f[r * n + c] = (w[r * n + c] - (zp.length === 1 ? zp[0] : zp[c])) * (ws.length === 1 ? ws[0] : ws[c]);
      }
      const name = g.addInitializer(`${p.weight}_fp32`, DataType.FLOAT, [k, n], f);
      added.push(g.node('MatMul', [x, name], { name: `${p.matmul.name}_fp32`, outputs: [p.scaleMul.output![0]] }));
      removed.push(p.matmul, p.cast, p.scaleMul, p.scalesMul);
      g.initializers.delete(p.weight);
    }
    g.replace(removed, added);
  }
  return g.finish();
}
