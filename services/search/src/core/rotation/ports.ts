import type { ModelRef } from '../search/ports.js';

/** A model the store keeps vectors for. */
export interface StoredModel extends ModelRef {
  /** The store's small key for it (names its tables); opaque to the core. */
  key: number;
  modelId: string;
}

export interface Serving {
  current: StoredModel | undefined;
  next: StoredModel | undefined;
  previous: StoredModel | undefined;
  /** False after a rollback: the next model waits for an explicit cutover instead of coming straight back. */
  autoCutover: boolean;
  generation: number;
}

export type ServingChange = Omit<Serving, 'generation'>;

export interface ModelCoverage {
  model: StoredModel;
  vectors: number;
  pending: number;
  failed: number;
  /** Vectors written in the last minute (the backfill's rate, across replicas). */
  lastMinute: number;
}

/** What rotation needs from the store. */
export interface ModelRegistry {
  serving(): Promise<Serving>;
  /** Registers a model (creating its tables) or returns the known one. */
  register(model: ModelRef & { modelId: string }): Promise<StoredModel>;
  /** Compare-and-set on the generation; false when another replica or operator changed it first. */
  setServing(expectGeneration: number, change: ServingChange): Promise<boolean>;
  /** Queues every passage without a vector (or job) for the model; returns the jobs added. */
  enqueueMissing(model: StoredModel): Promise<number>;
  coverage(): Promise<{ passages: number; models: ModelCoverage[] }>;
  /** Drops a model's vectors; returns how many there were. */
  drop(model: StoredModel): Promise<number>;
  /** Recomputes every user's taste vector in this model (before it starts serving). Returns users done. */
  rebuildTastes(model: StoredModel): Promise<number>;
}

/** An embedder the search service is configured to talk to, as the core sees it. */
export interface EmbedderEndpoint {
  /** 'current' (EMBEDDER_ADDRESSES) or 'next' (EMBEDDER_NEXT_ADDRESSES). */
  readonly name: string;
  /** The model it served last, if it has answered at all. */
  readonly model: (ModelRef & { modelId: string }) | undefined;
  /** Asks the embedder which model it serves (refreshes `model`). Fails with 'unavailable'. */
  probe(): Promise<ModelRef & { modelId: string }>;
  embedQuery(text: string): Promise<{ vector: number[]; model: ModelRef }>;
  embedPassages(texts: string[]): Promise<{ vectors: number[][]; model: ModelRef }>;
  /** Texts per call it accepts. */
  readonly maxInputs: number;
}
