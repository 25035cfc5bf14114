import { GraphBuilder, onnx } from './onnx-graph.js';
import type { ModelSpec } from './model-spec.js';
import { Prng } from './prng.js';
import { keyedEmbeddingTable, randomFloats, randomQuantized, type QuantizedTensor } from './weights.js';

/**
 * An XLM-R encoder graph shaped like a torch export of XLMRobertaModel after
 * onnxruntime.quantization.quantize_dynamic: every weight product is
 * DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scale) -> Add(bias),
 * the word embeddings are an int8 Gather + DequantizeLinear, and the
 * attention score products stay float. Matching that pattern matters beyond
 * looks: onnxruntime fuses it into DynamicQuantizeMatMul, as it does for the
 * real model, so the fixture's run time is representative.
 */

const FLOAT32_MIN = -3.4028234663852886e38;
const CAST_TO_FLOAT = onnx.TensorProto.DataType.FLOAT;
const CAST_TO_INT64 = onnx.TensorProto.DataType.INT64;

interface DynamicQuantized {
  q: string;
  scale: string;
  zeroPoint: string;
}

class EncoderBuilder {
  readonly g = new GraphBuilder();
  private readonly consts = new Map<string, string>();

  constructor(
    private readonly spec: ModelSpec,
    private readonly rng: Prng,
  ) {}

  /** Shared scalar/shape constants, created once like a real export's folded constants. */
  private floatScalar(value: number): string {
    const key = `f:${value}`;
    let name = this.consts.get(key);
    if (!name) this.consts.set(key, (name = this.g.floatConst(`const_float_${this.consts.size}`, value)));
    return name;
  }

  private int64s(values: number[] | number): string {
    const key = `i:${JSON.stringify(values)}`;
    let name = this.consts.get(key);
    if (!name) this.consts.set(key, (name = this.g.int64Const(`const_int64_${this.consts.size}`, values)));
    return name;
  }

  private quantizedInitializer(name: string, dims: number[], t: QuantizedTensor): { w: string; scale: string; zp: string } {
    return {
      w: this.g.initializer(`${name}_quantized`, 'int8', dims, t.data),
      scale: this.g.floatConst(`${name}_scale`, t.scale),
      zp: this.g.initializer(`${name}_zero_point`, 'int8', [], new Int8Array(1)),
    };
  }

  dynamicQuantize(name: string, x: string): DynamicQuantized {
    const [q, scale, zeroPoint] = this.g.node('DynamicQuantizeLinear', `${name}_QuantizeLinear`, [x], { outputs: 3 });
    return { q, scale, zeroPoint };
  }

  /** y = x·W + b with W int8; several projections may share one quantized x. */
  linear(name: string, x: DynamicQuantized, inDim: number, outDim: number): string {
    const g = this.g;
    const w = this.quantizedInitializer(`${name}.weight`, [inDim, outDim], randomQuantized(inDim * outDim, this.spec.weightStd, this.rng.fork(name)));
    const bias = g.floatConst(`${name}.bias`, Array.from(randomFloats(outDim, this.spec.weightStd, this.rng.fork(`${name}.b`))), [outDim]);
    const mm = g.op('MatMulInteger', `${name}_MatMulInteger`, [x.q, w.w, x.zeroPoint, w.zp]);
    const asFloat = g.op('Cast', `${name}_Cast`, [mm], { to: CAST_TO_FLOAT });
    const scale = g.op('Mul', `${name}_scales_mul`, [x.scale, w.scale]);
    const scaled = g.op('Mul', `${name}_output_scale_mul`, [asFloat, scale]);
    return g.op('Add', `${name}_Add`, [scaled, bias]);
  }

  layerNorm(name: string, x: string, outputName?: string): string {
    const h = this.spec.hidden;
    const gamma = this.g.floatConst(`${name}.weight`, new Array<number>(h).fill(1), [h]);
    const beta = this.g.floatConst(`${name}.bias`, new Array<number>(h).fill(0), [h]);
    return this.g.node('LayerNormalization', `${name}_LayerNormalization`, [x, gamma, beta], {
      outputs: outputName ? [outputName] : 1,
      attrs: { axis: -1, epsilon: { float: this.spec.layerNormEps } },
    })[0];
  }

  embeddings(inputIds: string, wordTable: QuantizedTensor): string {
    const { g, spec } = this;
    const h = spec.hidden;
    const vocab = wordTable.data.length / h;
    const word = this.quantizedInitializer('embeddings.word_embeddings.weight', [vocab, h], wordTable);
    const gathered = g.op('Gather', 'embeddings.word_embeddings_Gather', [word.w, inputIds], { axis: 0 });
    const words = g.op('DequantizeLinear', 'embeddings.word_embeddings_DequantizeLinear', [gathered, word.scale, word.zp]);

    // XLM-R positions: cumsum over non-pad tokens, offset by padding_idx, so
    // right padding leaves real tokens' positions alone and pads sit at 1.
    // Derived from input_ids != pad, exactly as create_position_ids_from_input_ids.
    const padId = this.int64s(spec.padId);
    const isPad = g.op('Equal', 'embeddings.position_Equal', [inputIds, padId]);
    const notPad = g.op('Not', 'embeddings.position_Not', [isPad]);
    const mask = g.op('Cast', 'embeddings.position_Cast', [notPad], { to: CAST_TO_INT64 });
    const cumsum = g.op('CumSum', 'embeddings.position_CumSum', [mask, this.int64s(1)]);
    const masked = g.op('Mul', 'embeddings.position_Mul', [cumsum, mask]);
    const positionIds = g.op('Add', 'embeddings.position_Add', [masked, padId]);
    const table = randomFloats(spec.maxPositions * h, spec.positionStd, this.rng.fork('positions'));
    // padding_idx rows are zero in the trained model (nn.Embedding padding_idx).
    table.fill(0, spec.padId * h, (spec.padId + 1) * h);
    const positionTable = g.initializer('embeddings.position_embeddings.weight', 'float', [spec.maxPositions, h], table);
    const positions = g.op('Gather', 'embeddings.position_embeddings_Gather', [positionTable, positionIds], { axis: 0 });

    // type_vocab_size is 1, so token type embedding row 0 is a constant add.
    const tokenType = g.floatConst('embeddings.token_type_embeddings.row0', Array.from(randomFloats(h, spec.positionStd, this.rng.fork('token_type'))), [h]);
    const sum = g.op('Add', 'embeddings_Add', [words, positions]);
    const withType = g.op('Add', 'embeddings_Add_type', [sum, tokenType]);
    return this.layerNorm('embeddings.LayerNorm', withType);
  }

  /** (1 - mask) * float32.min, broadcast over heads and query positions. */
  attentionBias(attentionMask: string): string {
    const g = this.g;
    const unsqueezed = g.op('Unsqueeze', 'extended_attention_mask_Unsqueeze', [attentionMask, this.int64s([1, 2])]);
    const asFloat = g.op('Cast', 'extended_attention_mask_Cast', [unsqueezed], { to: CAST_TO_FLOAT });
    const inverted = g.op('Sub', 'extended_attention_mask_Sub', [this.floatScalar(1), asFloat]);
    return g.op('Mul', 'extended_attention_mask_Mul', [inverted, this.floatScalar(FLOAT32_MIN)]);
  }

  layer(index: number, x: string, bias: string, outputName?: string): string {
    const { g, spec } = this;
    const h = spec.hidden;
    const headDim = h / spec.heads;
    const p = `encoder.layer.${index}`;

    const xq = this.dynamicQuantize(`${p}.attention.self`, x);
    const heads = this.int64s([0, 0, spec.heads, headDim]);
    const split = (name: string, perm: number[]) => {
      const projected = this.linear(`${p}.attention.self.${name}`, xq, h, h);
      const reshaped = g.op('Reshape', `${p}.attention.self.${name}_Reshape`, [projected, heads]);
      return g.op('Transpose', `${p}.attention.self.${name}_Transpose`, [reshaped], { perm });
    };
    const q = split('query', [0, 2, 1, 3]);
    const k = split('key', [0, 2, 3, 1]);
    const v = split('value', [0, 2, 1, 3]);

    const scores = g.op('MatMul', `${p}.attention.self_MatMul_qk`, [q, k]);
    const scaled = g.op('Div', `${p}.attention.self_Div`, [scores, this.floatScalar(Math.sqrt(headDim))]);
    const biased = g.op('Add', `${p}.attention.self_Add_mask`, [scaled, bias]);
    const probs = g.op('Softmax', `${p}.attention.self_Softmax`, [biased], { axis: -1 });
    const context = g.op('MatMul', `${p}.attention.self_MatMul_v`, [probs, v]);
    const merged = g.op('Transpose', `${p}.attention.self_Transpose_out`, [context], { perm: [0, 2, 1, 3] });
    const flat = g.op('Reshape', `${p}.attention.self_Reshape_out`, [merged, this.int64s([0, 0, h])]);

    const attnOut = this.linear(`${p}.attention.output.dense`, this.dynamicQuantize(`${p}.attention.output`, flat), h, h);
    const attnRes = g.op('Add', `${p}.attention.output_Add`, [attnOut, x]);
    const afterAttn = this.layerNorm(`${p}.attention.output.LayerNorm`, attnRes);

    const up = this.linear(`${p}.intermediate.dense`, this.dynamicQuantize(`${p}.intermediate`, afterAttn), h, spec.intermediate);
    const act = this.gelu(`${p}.intermediate`, up);
    const down = this.linear(`${p}.output.dense`, this.dynamicQuantize(`${p}.output`, act), spec.intermediate, h);
    const ffnRes = g.op('Add', `${p}.output_Add`, [down, afterAttn]);
    return this.layerNorm(`${p}.output.LayerNorm`, ffnRes, outputName);
  }

  /** Exact GELU written as torch exports it, the form onnxruntime's GeluFusion matches. */
  private gelu(name: string, x: string): string {
    const g = this.g;
    const div = g.op('Div', `${name}_gelu_Div`, [x, this.floatScalar(Math.SQRT2)]);
    const erf = g.op('Erf', `${name}_gelu_Erf`, [div]);
    const plus = g.op('Add', `${name}_gelu_Add`, [erf, this.floatScalar(1)]);
    const times = g.op('Mul', `${name}_gelu_Mul`, [x, plus]);
    return g.op('Mul', `${name}_gelu_Mul_half`, [times, this.floatScalar(0.5)]);
  }
}

/** Builds the whole encoder; `pieces` is the vocabulary in id order. */
export function buildEncoderGraph(spec: ModelSpec, pieces: string[], seed: number): GraphBuilder {
  if (spec.hidden % spec.heads !== 0) throw new Error(`hidden ${spec.hidden} is not divisible by ${spec.heads} heads`);
  const rng = new Prng(seed);
  const b = new EncoderBuilder(spec, rng);
  const inputIds = b.g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = b.g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);

  const wordTable = spec.keyedEmbeddings
    ? keyedEmbeddingTable(pieces, spec.hidden, spec.wordStd, seed)
    : randomQuantized(pieces.length * spec.hidden, spec.wordStd, rng.fork('word_embeddings'));
  let x = b.embeddings(inputIds, wordTable);
  const bias = b.attentionBias(attentionMask);
  for (let i = 0; i < spec.layers; i++) {
    x = b.layer(i, x, bias, i === spec.layers - 1 ? 'last_hidden_state' : undefined);
  }
  b.g.output('last_hidden_state', 'float', ['batch_size', 'sequence_length', spec.hidden]);
  return b.g;
}
