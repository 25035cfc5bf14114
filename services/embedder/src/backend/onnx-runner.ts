import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { logger } from '../../../../shared/logger.js';
import { buildBatchInvariantGraph } from './batch-invariant-graph.js';
import { meanPoolNormalize } from './pooling.js';
import type { RunMessage } from './protocol.js';

export interface RunnerOptions {
  onnxPath: string;
  intraOpThreads: number;
  /** Let idle intra-op threads spin (EMBEDDER_ORT_SPINNING). */
  allowSpinning?: boolean;
  /** Attention heads of the model (config.json); lets the loader fuse attention. */
  numHeads?: number;
  /**
   * Rewrite the graph at load so a vector does not depend on its batch
   * (batch-invariant-graph.ts). Default true; a graph without the expected
   * patterns loads as exported, with a log line saying why.
   */
  batchInvariant?: boolean;
  /** Benchmarks only: run these graph bytes instead of the file (a variant of the same model). */
  graph?: Uint8Array;
  /** Benchmarks only: extra ONNX Runtime session options (profiling, saving the optimized graph). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** How the loaded graph treats activation quantization, for logs and tests. */
export type LoadedGraph = 'batch-invariant' | 'as-exported' | 'supplied';

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
    readonly graph: LoadedGraph,
  ) {}

  static async load(options: RunnerOptions): Promise<OnnxRunner> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads,
      // One inference at a time by design: inter-op parallelism would only
      // fight the intra-op threads for the same cores.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Spinning intra-op threads keep cores busy between runs; on a small box
      // they starve the event loop (tokenizing, gRPC) and cost more than they save.
      extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
      ...options.sessionOptions,
    };
    let session: ort.InferenceSession | undefined;
    let graph: LoadedGraph = 'as-exported';
    if (options.graph) {
      session = await ort.InferenceSession.create(options.graph, sessionOptions);
      graph = 'supplied';
    } else if (options.batchInvariant ?? true) {
      const loaded = await loadBatchInvariant(options, sessionOptions);
      session = loaded?.session;
      if (loaded?.perSequence) graph = 'batch-invariant';
    }
    session ??= await ort.InferenceSession.create(options.onnxPath, sessionOptions);
    for (const required of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(required)) {
        throw new Error(`ONNX graph has no ${required} input (inputs: ${session.inputNames.join(', ')})`);
      }
    }
    const outputName = session.outputNames.includes('last_hidden_state')
      ? 'last_hidden_state'
      : session.outputNames[0];
    return new OnnxRunner(session, [...session.inputNames], outputName, graph);
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

/**
 * The session on the batch-invariant graph, or undefined (logged with the
 * reason) when the graph lacks the patterns or the rewritten graph does not
 * load: then vectors depend on their batch, as with the export itself.
 */
async function loadBatchInvariant(
  options: RunnerOptions,
  sessionOptions: ort.InferenceSession.SessionOptions,
): Promise<{ session: ort.InferenceSession; perSequence: boolean } | undefined> {
  const started = performance.now();
  try {
    const built = await buildBatchInvariantGraph(await readFile(options.onnxPath), { numHeads: options.numHeads });
    const session = await ort.InferenceSession.create(built.bytes, {
      ...sessionOptions,
      ...(built.preOptimized ? { graphOptimizationLevel: 'disabled' as const } : {}),
    });
    const log = { perSequence: built.perSequence, attentionFused: built.attentionFused, notes: built.notes, ms: Math.round(performance.now() - started) };
    if (built.perSequence) logger.info(log, 'graph rewritten at load: per-sequence activation quantization (batch-invariant vectors)');
    else logger.warn(log, 'per-sequence activation quantization skipped; vectors may depend on their batch');
    return { session, perSequence: built.perSequence };
  } catch (err) {
    logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'batch-invariant graph did not build or load; running the graph as exported (vectors depend on their batch)',
    );
    return undefined;
  }
}
