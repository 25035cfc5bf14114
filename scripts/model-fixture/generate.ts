import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEncoderGraph } from './encoder-graph.js';
import { modelSpec, type FixtureSize, type ModelSpec } from './model-spec.js';
import { encodeModel } from './onnx-graph.js';
import { Prng } from './prng.js';
import { tokenizerConfigJson, tokenizerJson } from './tokenizer-json.js';
import { buildVocabulary } from './vocab.js';

export interface FixtureOptions {
  out: string;
  size: FixtureSize;
  seed?: number;
  /**
   * Another model of the same size class: a different width and prefix
   * profile, so tests can rotate between two models that cannot share a
   * vector column (e.g. tiny 64 → 96 wide, e5 → e5-instruct).
   */
  variant?: { hidden: number; profile: 'e5' | 'e5-instruct' };
}

export const DEFAULT_SEED = 42;

/** The files written, relative to the output directory. */
export const FIXTURE_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'config.json',
  'onnx/model_quantized.onnx',
  'polysearch.json',
] as const;

/**
 * Writes a model directory in the layout of the Hugging Face ONNX exports of
 * multilingual-e5 (e.g. Xenova/multilingual-e5-small), with random weights,
 * because real weights cannot be downloaded where tests and benchmarks run.
 * The same size and seed always produce byte-identical files.
 */
export async function generateFixtureModel(options: FixtureOptions): Promise<void> {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const base = modelSpec(options.size);
  const spec: ModelSpec = options.variant
    ? { ...base, hidden: options.variant.hidden, intermediate: options.variant.hidden * 4, modelId: `${base.modelId}-${options.variant.hidden}-${options.variant.profile}` }
    : base;
  if (spec.hidden % spec.heads !== 0) throw new Error(`hidden ${spec.hidden} must be a multiple of the ${spec.heads} heads`);
  const profile = options.variant?.profile ?? 'e5';
  const vocab = buildVocabulary(spec.size, new Prng(seed).fork('vocabulary'));

  await mkdir(join(options.out, 'onnx'), { recursive: true });
  // JSON first: they are small, and a half-written directory then fails on
  // the missing ONNX file with a clear message rather than on bad JSON.
  await writeJson(join(options.out, 'tokenizer.json'), tokenizerJson(vocab));
  await writeJson(join(options.out, 'tokenizer_config.json'), tokenizerConfigJson());
  await writeJson(join(options.out, 'config.json'), configJson(spec, vocab.pieces.length));

  const graph = buildEncoderGraph(spec, vocab.pieces, seed);
  const doc = `polysearch fixture ${spec.modelId} (seed ${seed}): random weights, vectors carry no meaning`;
  await writeFile(join(options.out, 'onnx', 'model_quantized.onnx'), encodeModel(graph.toModel('main_graph', doc)));

  await writeJson(join(options.out, 'polysearch.json'), { model_id: spec.modelId, profile, fixture: true, seed });
}

function configJson(spec: ModelSpec, vocabSize: number): object {
  return {
    _name_or_path: spec.modelId,
    architectures: ['XLMRobertaModel'],
    model_type: 'xlm-roberta',
    hidden_size: spec.hidden,
    num_hidden_layers: spec.layers,
    num_attention_heads: spec.heads,
    intermediate_size: spec.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: spec.maxPositions,
    vocab_size: vocabSize,
    type_vocab_size: 1,
    pad_token_id: spec.padId,
    bos_token_id: 0,
    eos_token_id: 2,
    layer_norm_eps: spec.layerNormEps,
    initializer_range: 0.02,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    use_cache: true,
  };
}

async function writeJson(path: string, value: object): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}
