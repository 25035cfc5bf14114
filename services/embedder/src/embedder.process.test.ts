import { status } from '@grpc/grpc-js';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedResponse } from '../../../shared/generated/polysearch/embedder/v1/embedder.js';
import { cosine, embedderClient, InputType, statusOf } from '../../../test/support/embedder-client.js';
import { healthCheck, reflectionListServices } from '../../../test/support/grpc-probes.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../../../test/support/service-process.js';
import { padBatch } from './backend/batch.js';
import { OnnxRunner } from './backend/onnx-runner.js';
import { loadModelDirectory } from './model/model-dir.js';
import { makeProfile } from './model/profile.js';
import { TextTokenizer } from './tokenizer/tokenizer.js';

/**
 * The embedder as users run it: a real process on loopback ports, the tiny
 * fixture model loaded through the production loading code, gRPC calls.
 */
const modelDir = process.env.POLYSEARCH_TINY_MODEL_DIR!;
let service: ServiceProcess;
let client: ReturnType<typeof embedderClient>;
let httpPort: number;
let grpcPort: number;

// The same pipeline the service runs, driven directly: what the backend
// returns for a text fed raw, with no prefix applied by anyone else.
let tokenizer: TextTokenizer;
let runner: OnnxRunner;
async function rawVector(text: string): Promise<Float32Array> {
  const { vectors } = await runner.run(padBatch([tokenizer.encode(text).ids], tokenizer.padId));
  return vectors;
}

beforeAll(async () => {
  service = await startServiceProcess(
    'services/embedder/src/main.ts',
    { MODEL_DIR: modelDir, EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_PORT: '0', EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1' },
    'embedder listening',
  );
  grpcPort = service.listening.grpcPort as number;
  httpPort = service.listening.httpPort as number;
  client = embedderClient(grpcPort);
  const model = await loadModelDirectory(modelDir);
  tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
  runner = await OnnxRunner.load({ onnxPath: model.onnxPath, intraOpThreads: 1 });
  await waitFor(async () => (await httpStatus(httpPort, '/readyz')) === 200);
});

afterAll(async () => {
  client?.close();
  await runner?.release();
  await service?.stop();
});

describe('Embed roles and prefixes', () => {
  const text = 'Wie spät ist es in Berlin?';

  it('embeds QUERY and PASSAGE of one text differently, each as its e5-prefixed text fed raw', async () => {
    const query = (await client.embed({ texts: [text], inputType: InputType.INPUT_TYPE_QUERY })).embeddings[0].values;
    const passage = (await client.embed({ texts: [text], inputType: InputType.INPUT_TYPE_PASSAGE })).embeddings[0].values;
    expect(cosine(query, passage)).toBeLessThan(0.999);
    const profile = makeProfile('e5', '');
    expect(cosine(query, await rawVector(profile.format('query', text)))).toBeGreaterThanOrEqual(0.9999);
    expect(cosine(passage, await rawVector(profile.format('passage', text)))).toBeGreaterThanOrEqual(0.9999);
    expect(profile.format('query', text)).toBe(`query: ${text}`);
    // And not the unprefixed text: the prefix really reaches the model.
    expect(cosine(query, await rawVector(text))).toBeLessThan(0.9999);
  });

  it('refuses INPUT_TYPE_UNSPECIFIED with INVALID_ARGUMENT saying why', async () => {
    const err = await statusOf(client.embed({ texts: [text] }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/input_type is required.*INPUT_TYPE_QUERY.*INPUT_TYPE_PASSAGE/);
  });

  it('returns the model fingerprint with every response and from Info', async () => {
    const res = await client.embed({ texts: ['hello'], inputType: InputType.INPUT_TYPE_QUERY });
    const info = await client.info();
    expect(res.model).toEqual(info.model);
    expect(info.model).toMatchObject({ profile: 'e5', pooling: 'mean', normalized: true, maxTokens: 512 });
    expect(info.model!.onnxSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.model!.dimensions).toBe(res.embeddings[0].values.length);
    expect(info.fixture).toBe(true);
  });
});

describe('Embed vectors', () => {
  it('returns unit-length vectors', async () => {
    const res = await client.embed({ texts: ['one', 'zwei drei', 'quatre cinq six'], inputType: InputType.INPUT_TYPE_PASSAGE });
    for (const e of res.embeddings) expect(Math.hypot(...e.values)).toBeCloseTo(1, 4);
  });

  it('gives a text the same vector alone and in a batch beside longer texts', async () => {
    const short = 'Il pleut à Paris';
    const long = 'Der schnelle braune Fuchs springt über den faulen Hund, '.repeat(20);
    const alone = (await client.embed({ texts: [short], inputType: InputType.INPUT_TYPE_PASSAGE })).embeddings[0];
    const batched = (await client.embed({ texts: [long, short, long.slice(0, 200)], inputType: InputType.INPUT_TYPE_PASSAGE }))
      .embeddings[1];
    expect(batched.tokenCount).toBe(alone.tokenCount);
    expect(cosine(alone.values, batched.values)).toBeGreaterThanOrEqual(0.9999);
  });

  it('flags truncation exactly at the model limit of 512 tokens', async () => {
    const prefixed = (words: number) => `query: ${'hallo '.repeat(words).trim()}`;
    let words = 1;
    while (tokenizer.encode(prefixed(words + 1)).ids.length <= 512 && !tokenizer.encode(prefixed(words + 1)).truncated) words++;
    const atLimit = 'hallo '.repeat(words).trim();
    const overLimit = 'hallo '.repeat(words + 1).trim();
    const res = await client.embed({ texts: [atLimit, overLimit, 'hallo'], inputType: InputType.INPUT_TYPE_QUERY });
    expect(res.embeddings.map((e) => [e.tokenCount, e.truncated])).toEqual([
      [512, false],
      [512, true],
      [tokenizer.encode('query: hallo').ids.length, false],
    ]);
  });
});

describe('Embed input limits', () => {
  it.each([
    ['an empty list', { texts: [] }, /texts is empty/],
    ['an empty string', { texts: ['ok', ''] }, /texts\[1\] is empty/],
    ['more inputs than the limit', { texts: Array.from({ length: 65 }, () => 'x') }, /limit is 64 per request/],
    ['more bytes than the limit', { texts: ['a'.repeat(32_769)] }, /limit is 32768 bytes per text/],
  ])('answers INVALID_ARGUMENT naming the limit for %s', async (_name, request, message) => {
    const err = await statusOf(client.embed({ ...request, inputType: InputType.INPUT_TYPE_PASSAGE }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(message);
  });

  it('embeds NUL bytes, emoji, right-to-left and CJK text without crashing', async () => {
    const texts = ['a\u0000b', '🙂🚀👩‍👩‍👧', 'مرحبا بالعالم', 'שלום עולם', '你好，世界', '\u202Emixed RTL\u202C', '\uD800 lone'];
    const res = await client.embed({ texts, inputType: InputType.INPUT_TYPE_QUERY });
    expect(res.embeddings).toHaveLength(texts.length);
    for (const e of res.embeddings) expect(Math.hypot(...e.values)).toBeCloseTo(1, 4);
  });

  it('embeds invalid UTF-8 on the wire without crashing', async () => {
    // Hand-built EmbedRequest: texts = [0xff 0xfe 'A'], input_type = QUERY.
    const body = Buffer.from([0x0a, 0x03, 0xff, 0xfe, 0x41, 0x10, 0x01]);
    const raw = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const res = await new Promise<EmbedResponse>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/polysearch.embedder.v1.Embedder/Embed',
        (b: Buffer) => b,
        (b: Buffer) => EmbedResponse.decode(b),
        body,
        (err, value) => (err ? reject(err) : resolve(value!)),
      ),
    );
    raw.close();
    expect(res.embeddings).toHaveLength(1);
  });

  it('never logs input text', () => {
    const secret = 'Wie spät ist es in Berlin?';
    expect(service.logs.some((line) => line.includes(secret))).toBe(false);
    expect(service.logs.some((line) => line.includes('"msg":"embedded"'))).toBe(true);
  });
});

describe('Operations', () => {
  it('answers grpc health and reflection like grpcurl expects', async () => {
    expect(await healthCheck(grpcPort)).toBe('SERVING');
    expect(await healthCheck(grpcPort, 'polysearch.embedder.v1.Embedder')).toBe('SERVING');
    expect(await reflectionListServices(grpcPort)).toContain('polysearch.embedder.v1.Embedder');
  });

  it('serves /livez and Prometheus /metrics', async () => {
    expect(await httpStatus(httpPort, '/livez')).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    for (const name of ['embedder_queue_depth', 'embedder_inference_duration_seconds', 'embedder_batch_inputs', 'embedder_tokens_total', 'embedder_rejections_total']) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/embedder_rejections_total\{reason="input_too_large"\} [1-9]/);
  });

  it('on SIGTERM finishes in-flight work, then exits 0', async () => {
    const calls = Array.from({ length: 5 }, (_, i) =>
      client.embed({ texts: [`text number ${i}`], inputType: InputType.INPUT_TYPE_PASSAGE }).then(
        () => 'ok',
        (err: grpc.ServiceError) => err.code,
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    const code = await service.stop('SIGTERM');
    const outcomes = await Promise.all(calls);
    expect(code).toBe(0);
    // Accepted calls complete; any refused one is refused cleanly, never INTERNAL.
    for (const o of outcomes) expect([ 'ok', status.UNAVAILABLE ]).toContain(o);
    expect(outcomes).toContain('ok');
  });
});
