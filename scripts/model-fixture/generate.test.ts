import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../../test/support/embedder-client.js';
import { FIXTURE_FILES, generateFixtureModel } from './generate.js';
import { onnx } from './onnx-graph.js';

let root: string;
let dir: string;
let session: ort.InferenceSession;
let tokenizer: Tokenizer;

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

interface Hidden {
  data: Float32Array;
  dims: readonly number[];
}

/** Right-pads with <pad>=1 like the embedder does, and runs the graph. */
async function run(batch: number[][]): Promise<Hidden> {
  const seq = Math.max(...batch.map((r) => r.length));
  const ids = new BigInt64Array(batch.length * seq).fill(1n);
  const mask = new BigInt64Array(batch.length * seq);
  batch.forEach((row, r) =>
    row.forEach((id, t) => {
      ids[r * seq + t] = BigInt(id);
      mask[r * seq + t] = 1n;
    }),
  );
  const out = await session.run({
    input_ids: new ort.Tensor('int64', ids, [batch.length, seq]),
    attention_mask: new ort.Tensor('int64', mask, [batch.length, seq]),
  });
  const hidden = out.last_hidden_state;
  return { data: hidden.data as Float32Array, dims: hidden.dims };
}

function meanPooled(hidden: Hidden, row: number, length: number): Float64Array {
  const [, seq, dim] = hidden.dims;
  const v = new Float64Array(dim);
  for (let t = 0; t < length; t++) for (let j = 0; j < dim; j++) v[j] += hidden.data[(row * seq + t) * dim + j];
  return v;
}

async function embed(texts: string[]): Promise<Float64Array[]> {
  const ids = texts.map((t) => tokenizer.encode(t).ids);
  const hidden = await run(ids);
  return ids.map((row, r) => meanPooled(hidden, r, row.length));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'polysearch-fixture-'));
  dir = join(root, 'tiny');
  await generateFixtureModel({ out: dir, size: 'tiny', seed: 7 });
  session = await ort.InferenceSession.create(join(dir, 'onnx/model_quantized.onnx'), { intraOpNumThreads: 1 });
  tokenizer = new Tokenizer(readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json')));
});

afterAll(async () => {
  await session?.release();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('tiny fixture layout', () => {
  it('writes the Hugging Face export layout plus polysearch.json', () => {
    for (const file of FIXTURE_FILES) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(readJson(join(dir, 'polysearch.json'))).toMatchObject({
      model_id: 'polysearch/fixture-tiny',
      profile: 'e5',
      fixture: true,
    });
    const config = readJson(join(dir, 'config.json'));
    expect(config).toMatchObject({
      model_type: 'xlm-roberta',
      architectures: ['XLMRobertaModel'],
      max_position_embeddings: 514,
      pad_token_id: 1,
      bos_token_id: 0,
      eos_token_id: 2,
      type_vocab_size: 1,
      _name_or_path: 'polysearch/fixture-tiny',
    });
    const tokenizerJson = readJson(join(dir, 'tokenizer.json')) as { model: { vocab: unknown[] } };
    expect(config.vocab_size).toBe(tokenizerJson.model.vocab.length);
    expect(readJson(join(dir, 'tokenizer_config.json'))).toMatchObject({
      model_max_length: 512,
      tokenizer_class: 'XLMRobertaTokenizer',
      pad_token: '<pad>',
    });
  });

  it('is an int8 graph in the quantize_dynamic style with the XLM-R inputs and output', () => {
    const model = onnx.ModelProto.decode(readFileSync(join(dir, 'onnx/model_quantized.onnx')));
    const ops = new Set(model.graph!.node!.map((n) => n.opType));
    for (const op of ['DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear', 'Erf']) expect(ops.has(op), op).toBe(true);
    expect(Number(model.opsetImport![0].version)).toBe(17);
    expect(Number(model.irVersion)).toBe(8);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
  });
});

describe('tiny fixture tokenizer', () => {
  it('wraps text in <s> ... </s> and knows the e5 prefixes and words', () => {
    const { ids, tokens } = tokenizer.encode('query: Hallo Welt');
    expect(ids[0]).toBe(0);
    expect(ids.at(-1)).toBe(2);
    expect(tokens).toEqual(['<s>', '▁query', ':', '▁Hallo', '▁Welt', '</s>']);
    expect(tokenizer.encode('passage: Straße, Café, niño, città').ids).not.toContain(3);
  });

  it('never throws, mapping what it does not know to <unk>', () => {
    const nasty = ['', ' ', '\u0000\u0000', '😀🎉', '東京は日本の首都です', 'مرحبا بالعالم', 'שלום עולם', '\uD800x\uDC00', 'a\u0301\u200B\uFEFFb', '<s></s><pad>'];
    for (const text of nasty) {
      const { ids } = tokenizer.encode(text);
      expect(ids[0], JSON.stringify(text)).toBe(0);
      expect(ids.at(-1), JSON.stringify(text)).toBe(2);
      expect(ids.every((id: number) => Number.isInteger(id) && id >= 0)).toBe(true);
    }
    expect(tokenizer.encode('😀').ids).toContain(3);
  });
});

describe('tiny fixture model', () => {
  it('returns finite last_hidden_state of shape [batch, seq, hidden]', async () => {
    const hidden = await run([tokenizer.encode('query: Hallo Welt').ids, tokenizer.encode('passage: ein Haus').ids]);
    expect(hidden.dims).toEqual([2, 6, 64]);
    expect(hidden.data.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('gives real tokens the same states whether or not the batch is right-padded', async () => {
    const short = tokenizer.encode('query: Hallo Welt').ids;
    const long = tokenizer.encode('passage: Das Wetter in Berlin ist heute schön und warm, sagt der Bericht.').ids;
    const alone = await run([short]);
    const padded = await run([short, long]);
    const dim = alone.dims[2];
    const seq = padded.dims[1];
    expect(seq).toBeGreaterThan(short.length);
    let maxDiff = 0;
    for (let t = 0; t < short.length; t++) {
      for (let j = 0; j < dim; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(alone.data[t * dim + j] - padded.data[t * dim + j]));
      }
    }
    // Not exact: DynamicQuantizeLinear picks one activation scale per batch,
    // so padded rows shift quantization slightly, as with the real model.
    expect(maxDiff).toBeLessThan(0.05);
    expect(cosine(meanPooled(alone, 0, short.length), meanPooled(padded, 0, short.length))).toBeGreaterThan(0.9999);
  });

  it('puts texts that share words closer than unrelated texts', async () => {
    const [query, related, unrelated, other] = await embed([
      'query: Wie ist das Wetter heute in Berlin?',
      'passage: Das Wetter in Berlin ist heute schön und warm.',
      'passage: Il gatto dorme sul divano della cucina.',
      'passage: The bank offers a good price for coffee.',
    ]);
    const near = cosine(query, related);
    expect(near).toBeGreaterThan(cosine(query, unrelated) + 0.2);
    expect(near).toBeGreaterThan(cosine(query, other) + 0.2);
  });
});

describe('determinism', () => {
  it('writes byte-identical files for the same seed, different weights for another', async () => {
    const again = join(root, 'again');
    const otherSeed = join(root, 'other-seed');
    await generateFixtureModel({ out: again, size: 'tiny', seed: 7 });
    await generateFixtureModel({ out: otherSeed, size: 'tiny', seed: 8 });
    for (const file of FIXTURE_FILES) expect(sha256(join(again, file)), file).toBe(sha256(join(dir, file)));
    const onnxFile = 'onnx/model_quantized.onnx';
    expect(sha256(join(otherSeed, onnxFile))).not.toBe(sha256(join(dir, onnxFile)));
  });
});
