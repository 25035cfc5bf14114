// Embedder latency and throughput on the full-size e5-small fixture (random
// weights, the real model's cost), reported as ratios against the same
// tokenize+ONNX pipeline run in-process in the same run: this machine is
// shared and noisy, absolute numbers drift, ratios much less.
//
//   npm run bench:embedder [-- --iterations 200]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateFixtureModel } from '../scripts/model-fixture/generate.js';
import { padBatch } from '../services/embedder/src/backend/batch.js';
import { OnnxRunner } from '../services/embedder/src/backend/onnx-runner.js';
import { loadModelDirectory } from '../services/embedder/src/model/model-dir.js';
import { makeProfile } from '../services/embedder/src/model/profile.js';
import { TextTokenizer } from '../services/embedder/src/tokenizer/tokenizer.js';
import { ROOT_DIR } from '../shared/paths.js';
import { embedderClient, InputType } from '../test/support/embedder-client.js';
import { httpStatus, startServiceProcess, waitFor } from '../test/support/service-process.js';
import { ms, ratio, summarize, timeIt } from './stats.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' }, model: { type: 'string' } } });
const iterations = Number(values.iterations);
const modelDir = values.model ?? join(ROOT_DIR, '.cache', 'models', 'e5-small');
if (!existsSync(join(modelDir, 'polysearch.json'))) await generateFixtureModel({ out: modelDir, size: 'e5-small' });

const words = 'search engines rank documents by meaning rather than exact words so that a question finds its answer'.split(' ');
const query = (i: number) => `how do I reset my password ${i % 50}`;
const passage = (i: number) => Array.from({ length: 110 }, (_, j) => words[(i * 7 + j) % words.length]).join(' ');
const threads = 2;

// Baseline: the same pipeline in this process, no queue, no gRPC.
const model = await loadModelDirectory(modelDir);
const tokenizer = new TextTokenizer(model.tokenizerJson, model.tokenizerConfig, model.maxTokens);
const profile = makeProfile(model.profile, '');
const runner = await OnnxRunner.load(model.onnxPath, threads);
const direct = (texts: string[], role: 'query' | 'passage') =>
  runner.run(padBatch(texts.map((t) => tokenizer.encode(profile.format(role, t)).ids), tokenizer.padId));

const service = await startServiceProcess(
  'services/embedder/src/main.ts',
  { MODEL_DIR: modelDir, EMBEDDER_GRPC_PORT: '0', EMBEDDER_HTTP_PORT: '0', EMBEDDER_GRPC_HOST: '127.0.0.1', EMBEDDER_HTTP_HOST: '127.0.0.1', EMBEDDER_INTRA_OP_THREADS: String(threads), LOG_LEVEL: 'info' },
  'embedder listening',
);
const client = embedderClient(service.listening.grpcPort as number);
await waitFor(async () => (await httpStatus(service.listening.httpPort as number, '/readyz')) === 200, 120_000);

for (let i = 0; i < 20; i++) {
  await direct([query(i)], 'query');
  await client.embed({ texts: [query(i)], inputType: InputType.INPUT_TYPE_QUERY });
}

// Interleave baseline and service samples so drift hits both alike.
const base: number[] = [];
const grpc: number[] = [];
for (let i = 0; i < iterations; i++) {
  base.push(await timeIt(() => direct([query(i)], 'query')));
  grpc.push(await timeIt(() => client.embed({ texts: [query(i)], inputType: InputType.INPUT_TYPE_QUERY })));
}
const b = summarize(base);
const g = summarize(grpc);

const batch = Array.from({ length: 32 }, (_, i) => passage(i));
const rounds = Math.max(3, Math.round(iterations / 40));
let baseBatchMs = 0;
let grpcBatchMs = 0;
for (let r = 0; r < rounds; r++) {
  baseBatchMs += await timeIt(() => direct(batch, 'passage'));
  grpcBatchMs += await timeIt(() => client.embed({ texts: batch, inputType: InputType.INPUT_TYPE_PASSAGE }));
}
const basePps = (32 * rounds) / (baseBatchMs / 1000);
const grpcPps = (32 * rounds) / (grpcBatchMs / 1000);
const tokensPerPassage = tokenizer.encode(profile.format('passage', batch[0])).ids.length;

console.log(`embedder benchmark — model ${model.modelId}, ${threads} intra-op threads, ${iterations} single-query calls, ${rounds}×32 passages (${tokensPerPassage} tokens each)`);
console.log('');
console.log(`single query       in-process p50 ${ms(b.p50)}  p99 ${ms(b.p99)}`);
console.log(`                   gRPC       p50 ${ms(g.p50)}  p99 ${ms(g.p99)}`);
console.log(`                   ratio      p50 ${ratio(g.p50, b.p50)}  p99 ${ratio(g.p99, b.p99)}`);
console.log(`batch 32 passages  in-process ${basePps.toFixed(1)} passages/s`);
console.log(`                   gRPC       ${grpcPps.toFixed(1)} passages/s  (${ratio(grpcPps, basePps)} of in-process)`);

client.close();
await service.stop();
await runner.release();
