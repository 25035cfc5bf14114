import * as ort from 'onnxruntime-node';
import { meanPoolNormalize } from './pooling.js';
import type { RunMessage } from './protocol.js';

/**
 * The ONNX half of the backend: one session, batches in, pooled unit vectors
 * out. It runs inside a worker thread so that a wedged run can be abandoned
 * by terminating the thread; it knows nothing of queues or gRPC.
 */
export class OnnxRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: string[],
    private readonly outputName: string,
  ) {}

  static async load(onnxPath: string, intraOpThreads: number, allowSpinning = false): Promise<OnnxRunner> {
    const session = await ort.InferenceSession.create(onnxPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: intraOpThreads,
      // One inference at a time by design: inter-op parallelism would only
      // fight the intra-op threads for the same cores.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Spinning intra-op threads keep cores busy between runs; on a small box
      // they starve the event loop (tokenizing, gRPC) and cost more than they save.
      extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } },
    });
    for (const required of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(required)) {
        throw new Error(`ONNX graph has no ${required} input (inputs: ${session.inputNames.join(', ')})`);
      }
    }
    const outputName = session.outputNames.includes('last_hidden_state')
      ? 'last_hidden_state'
      : session.outputNames[0];
    return new OnnxRunner(session, [...session.inputNames], outputName);
  }

  async run(batch: Omit<RunMessage, 'type' | 'id'>): Promise<{ vectors: Float32Array; dims: number }> {
    const { rows, seqLen, lengths } = batch;
    const n = rows * seqLen;
    const inputIds = new BigInt64Array(n);
    const mask = new BigInt64Array(n);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < seqLen; t++) {
        const i = r * seqLen + t;
        const real = t < lengths[r];
        inputIds[i] = BigInt(real ? batch.ids[i] : batch.padId);
        mask[i] = real ? 1n : 0n;
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', inputIds, [rows, seqLen]),
      attention_mask: new ort.Tensor('int64', mask, [rows, seqLen]),
    };
    // BERT-family exports also take token_type_ids; XLM-R has one type.
    if (this.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n), [rows, seqLen]);
    }
    const outputs = await this.session.run(feeds, [this.outputName]);
    const hidden = outputs[this.outputName];
    const dims = hidden.dims[2];
    if (hidden.dims.length !== 3 || hidden.dims[0] !== rows || hidden.dims[1] !== seqLen) {
      throw new Error(`unexpected output shape [${hidden.dims.join(', ')}]`);
    }
    const vectors = meanPoolNormalize(hidden.data as Float32Array, rows, seqLen, dims, lengths);
    hidden.dispose();
    return { vectors, dims };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
