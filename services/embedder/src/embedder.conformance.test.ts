import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cosine, embedderClient, InputType } from '../../../test/support/embedder-client.js';
import { describeRealModel, REAL_MODEL_DIR, REAL_MODEL_PROFILE, realModelEnv } from '../../../test/support/real-model.js';
import { httpStatus, startServiceProcess, waitFor, type ServiceProcess } from '../../../test/support/service-process.js';
import { loadModelDirectory } from './model/model-dir.js';
import { makeProfile } from './model/profile.js';
import { TextTokenizer } from './tokenizer/tokenizer.js';

/**
 * Conformance of the embedder on the real multilingual-e5-small to the
 * model's own reference/vectors.json (62 texts, 10 languages, queries and
 * passages; `text` is the caller's raw text, the role says which prefix the
 * model saw). Token ids through the production loading code; vectors from
 * the service as users run it: a real process, gRPC, the role sent and the
 * prefix applied by the embedder.
 */

interface ReferenceEntry {
  text: string;
  role: 'query' | 'passage';
  input_ids: number[];
  vector: number[];
}
interface Reference {
  onnx_sha256: string;
  entries: ReferenceEntry[];
}

const inputType = (role: ReferenceEntry['role']) => (role === 'query' ? InputType.INPUT_TYPE_QUERY : InputType.INPUT_TYPE_PASSAGE);

describeRealModel('conformance to reference/vectors.json on the real model', () => {
  let reference: Reference;
  let service: ServiceProcess;
  let client: ReturnType<typeof embedderClient>;

  beforeAll(async () => {
    reference = JSON.parse(await readFile(join(REAL_MODEL_DIR!, 'reference', 'vectors.json'), 'utf8')) as Reference;
    service = await startServiceProcess(
      'services/embedder/src/main.ts',
      { ...realModelEnv(), EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_PORT: '0', EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1' },
      'embedder listening',
    );
    client = embedderClient(service.listening.grpcPort as number);
    await waitFor(async () => (await httpStatus(service.listening.httpPort as number, '/readyz')) === 200, 180_000, 200);
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('serves the model the reference was made with', async () => {
    const info = await client.info();
    expect(info.model!.onnxSha256).toBe(reference.onnx_sha256);
    expect(reference.entries).toHaveLength(62);
  });

  it('tokenizes every reference text to exactly its input_ids (prefix by role, special tokens included)', async () => {
    const model = await loadModelDirectory(REAL_MODEL_DIR!, { profile: REAL_MODEL_PROFILE });
    const tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
    const profile = makeProfile(model.profile, '');
    const mismatched = reference.entries.filter((e) => JSON.stringify(tokenizer.encode(profile.format(e.role, e.text)).ids) !== JSON.stringify(e.input_ids));
    expect(mismatched.map((e) => e.input_ids.length)).toEqual([]);
  });

  it('embeds every reference text alone at cosine ≥ 0.9999 to its reference vector, with its token count', async () => {
    const cosines: number[] = [];
    for (const e of reference.entries) {
      const res = await client.embed({ texts: [e.text], inputType: inputType(e.role) });
      expect(res.embeddings[0].tokenCount).toBe(e.input_ids.length);
      cosines.push(cosine(res.embeddings[0].values, e.vector));
    }
    console.info(`conformance alone: min cosine ${Math.min(...cosines).toFixed(7)} over ${cosines.length} texts`);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.9999);
  });

  it('embeds them batched (all texts of a role in one request) at cosine ≥ 0.9999 too', async () => {
    const cosines: number[] = [];
    for (const role of ['query', 'passage'] as const) {
      const entries = reference.entries.filter((e) => e.role === role);
      const res = await client.embed({ texts: entries.map((e) => e.text), inputType: inputType(role) });
      entries.forEach((e, i) => cosines.push(cosine(res.embeddings[i].values, e.vector)));
    }
    console.info(`conformance batched: min cosine ${Math.min(...cosines).toFixed(7)} over ${cosines.length} texts`);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.9999);
  });
});
