/** Messages between the inference supervisor and its worker thread. */

export interface InitMessage {
  type: 'init';
  onnxPath: string;
  intraOpThreads: number;
  allowSpinning: boolean;
  /** Attention heads (config.json), so the loader can fuse attention. */
  numHeads?: number;
}

/** A padded batch: ids is rows × seqLen, right-padded; lengths are the real lengths. */
export interface RunMessage {
  type: 'run';
  id: number;
  ids: Int32Array;
  rows: number;
  seqLen: number;
  lengths: Int32Array;
  padId: number;
}

export type ToWorker = InitMessage | RunMessage;

export type FromWorker =
  | { type: 'ready'; inputNames: string[] }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; vectors: Float32Array; dims: number }
  | { type: 'run-error'; id: number; message: string };
