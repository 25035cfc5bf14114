import { afterAll, beforeAll, expect, it } from 'vitest';
import { embedderClient, InputType } from '../../../test/support/embedder-client.js';
import { checkConformance, describeReport, exportVectorsAlone, loadReference, type Reference, type ReferenceEntry } from '../../../test/support/reference-vectors.js';
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
 * prefix applied by the embedder. What conformance means on a CPU whose int8
 * kernels differ from the reference machine's: test/support/reference-vectors.ts.
 */


const inputType = (role: ReferenceEntry['role']) => (role === 'query' ? InputType.INPUT_TYPE_QUERY : InputType.INPUT_TYPE_PASSAGE);

describeRealModel('conformance to reference/vectors.json on the real model', () => {
  let reference: Reference;
  let exported: Float32Array[];
  let service: ServiceProcess;
  let client: ReturnType<typeof embedderClient>;

  beforeAll(async () => {
    reference = await loadReference(REAL_MODEL_DIR!);
    const model = await loadModelDirectory(REAL_MODEL_DIR!, { profile: REAL_MODEL_PROFILE });
    const tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
    exported = await exportVectorsAlone(model.onnxPath, reference.entries, tokenizer.padId);
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

  it('embeds every reference text alone as the export does on this CPU, conformant to its reference vector, with its token count', async () => {
    const vectors: Float32Array[] = [];
    for (const e of reference.entries) {
      const res = await client.embed({ texts: [e.text], inputType: inputType(e.role) });
      expect(res.embeddings[0].tokenCount).toBe(e.input_ids.length);
      vectors.push(Float32Array.from(res.embeddings[0].values));
    }
    const report = checkConformance(vectors, exported, reference.entries);
    console.info(describeReport('conformance alone', report, vectors.length));
    expect(report.notAsExport).toEqual([]);
    expect(report.offReference).toEqual([]);
  });

  it('embeds them batched (all texts of a role in one request) exactly as alone', async () => {
    const vectors: Float32Array[] = [];
    const order: ReferenceEntry[] = [];
    const exportedInOrder: Float32Array[] = [];
    for (const role of ['query', 'passage'] as const) {
      const entries = reference.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.role === role);
      const res = await client.embed({ texts: entries.map(({ e }) => e.text), inputType: inputType(role) });
      entries.forEach(({ e, i }, k) => {
        vectors.push(Float32Array.from(res.embeddings[k].values));
        order.push(e);
        exportedInOrder.push(exported[i]);
      });
    }
    const report = checkConformance(vectors, exportedInOrder, order);
    console.info(describeReport('conformance batched', report, vectors.length));
    expect(report.notAsExport).toEqual([]);
    expect(report.offReference).toEqual([]);
  });
});
