import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProfileName, type ProfileName } from './profile.js';

/**
 * A model directory in the layout of the published Hugging Face ONNX exports
 * (e.g. Xenova/multilingual-e5-small): tokenizer.json, tokenizer_config.json,
 * config.json and onnx/model_quantized.onnx, plus our small polysearch.json
 * manifest naming the model and its prefix profile.
 */
export interface ModelDirectory {
  dir: string;
  onnxPath: string;
  onnxSha256: string;
  tokenizerJson: object;
  tokenizerConfig: object;
  modelId: string;
  profile: ProfileName;
  hiddenSize: number;
  /** Attention heads (config.json num_attention_heads), when the config says. */
  numHeads?: number;
  /** Tokens per input the model accepts, special tokens included. */
  maxTokens: number;
  /** True for generated test fixtures: their vectors carry no meaning. */
  fixture: boolean;
}

export interface ModelDirOverrides {
  profile?: ProfileName;
  modelId?: string;
}

export class ModelDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelDirError';
  }
}

const ONNX_CANDIDATES = ['onnx/model_quantized.onnx', 'onnx/model.onnx'];

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    throw new ModelDirError(`model directory is missing ${what} (${path})`);
  }
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ModelDirError(`${what} is not valid JSON (${path})`);
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function loadModelDirectory(dir: string, overrides: ModelDirOverrides = {}): Promise<ModelDirectory> {
  if (!existsSync(dir)) throw new ModelDirError(`MODEL_DIR ${dir} does not exist`);
  const onnxRelative = ONNX_CANDIDATES.find((p) => existsSync(join(dir, p)));
  if (!onnxRelative) throw new ModelDirError(`model directory ${dir} has neither ${ONNX_CANDIDATES.join(' nor ')}`);

  const [tokenizerJson, tokenizerConfig, config] = await Promise.all([
    readJson(join(dir, 'tokenizer.json'), 'tokenizer.json'),
    readJson(join(dir, 'tokenizer_config.json'), 'tokenizer_config.json'),
    readJson(join(dir, 'config.json'), 'config.json'),
  ]);
  const manifestPath = join(dir, 'polysearch.json');
  const manifest = existsSync(manifestPath) ? await readJson(manifestPath, 'polysearch.json') : {};

  const profile = overrides.profile ?? manifest.profile;
  if (profile === undefined) {
    throw new ModelDirError(
      `no prefix profile for the model in ${dir}: add polysearch.json {"model_id": "...", "profile": "e5"} ` +
        `(scripts/download-model.ts writes it) or set MODEL_PROFILE=e5|e5-instruct. ` +
        `It is not guessed, because a wrong prefix silently ruins recall.`,
    );
  }
  if (!isProfileName(profile)) {
    throw new ModelDirError(`unknown profile ${JSON.stringify(profile)} in polysearch.json: use "e5" or "e5-instruct"`);
  }

  const modelId = overrides.modelId ?? manifest.model_id ?? config._name_or_path;
  if (typeof modelId !== 'string' || modelId === '') {
    throw new ModelDirError(`cannot tell the model id of ${dir}: set "model_id" in polysearch.json or MODEL_ID`);
  }
  const hiddenSize = config.hidden_size;
  if (typeof hiddenSize !== 'number' || !Number.isInteger(hiddenSize) || hiddenSize <= 0) {
    throw new ModelDirError(`config.json in ${dir} has no valid hidden_size`);
  }

  return {
    dir,
    onnxPath: join(dir, onnxRelative),
    onnxSha256: await sha256File(join(dir, onnxRelative)),
    tokenizerJson,
    tokenizerConfig,
    modelId,
    profile,
    hiddenSize,
    numHeads: typeof config.num_attention_heads === 'number' && Number.isInteger(config.num_attention_heads) ? config.num_attention_heads : undefined,
    maxTokens: maxTokensOf(tokenizerConfig, config),
    fixture: manifest.fixture === true,
  };
}

/**
 * XLM-R reserves two position slots (padding offset), so 514 positions allow
 * 512 tokens; tokenizer_config's model_max_length says the same when present.
 * Some exports write a huge sentinel there, hence the min.
 */
function maxTokensOf(tokenizerConfig: Record<string, unknown>, config: Record<string, unknown>): number {
  const fromPositions =
    typeof config.max_position_embeddings === 'number'
      ? config.max_position_embeddings - (config.model_type === 'xlm-roberta' ? 2 : 0)
      : 512;
  const fromTokenizer = typeof tokenizerConfig.model_max_length === 'number' ? tokenizerConfig.model_max_length : Infinity;
  return Math.min(fromPositions, fromTokenizer);
}
