import { unavailable } from '../../../../../shared/errors.js';
import type { ModelRef } from '../search/ports.js';
import type { EmbedderEndpoint, ModelCoverage, ModelRegistry, Serving, ServingChange, StoredModel } from './ports.js';

export const modelRef = (digest: string, dimensions = 4): ModelRef & { modelId: string } => ({ digest, dimensions, profile: 'e5', fixture: true, modelId: `model-${digest}` });

/** In-memory registry: models, the serving row, per-model vector/job counts the test sets. */
export class MemoryRegistry implements ModelRegistry {
  models: StoredModel[] = [];
  row: Serving = { current: undefined, next: undefined, previous: undefined, autoCutover: true, generation: 0 };
  passages = 10;
  counts = new Map<string, { vectors: number; pending: number; failed: number }>();
  enqueued: string[] = [];
  tastesRebuilt: string[] = [];
  dropped: string[] = [];
  async serving() {
    return { ...this.row };
  }
  async register(m: ModelRef & { modelId: string }) {
    let found = this.models.find((x) => x.digest === m.digest);
    if (!found) this.models.push((found = { ...m, key: this.models.length + 1 }));
    return found;
  }
  /** Another replica changes the row just before our next compare-and-set. */
  raceNextSet: ServingChange | undefined;
  async setServing(expect: number, change: ServingChange) {
    if (this.raceNextSet) {
      this.row = { ...this.raceNextSet, generation: this.row.generation + 1 };
      this.raceNextSet = undefined;
    }
    if (expect !== this.row.generation) return false;
    this.row = { ...change, generation: this.row.generation + 1 };
    return true;
  }
  async enqueueMissing(m: StoredModel) {
    this.enqueued.push(m.digest);
    const c = this.counts.get(m.digest) ?? { vectors: 0, pending: 0, failed: 0 };
    const added = this.passages - c.vectors - c.pending - c.failed;
    this.counts.set(m.digest, { ...c, pending: c.pending + added });
    return added;
  }
  async coverage() {
    const models: ModelCoverage[] = this.models.map((model) => ({ model, ...(this.counts.get(model.digest) ?? { vectors: 0, pending: 0, failed: 0 }), lastMinute: 0 }));
    return { passages: this.passages, models };
  }
  async drop(m: StoredModel) {
    this.dropped.push(m.digest);
    this.models = this.models.filter((x) => x.digest !== m.digest);
    return this.counts.get(m.digest)?.vectors ?? 0;
  }
  async rebuildTastes(m: StoredModel) {
    this.tastesRebuilt.push(m.digest);
    return 0;
  }
  /** Pretend the backfill embedded everything for this model. */
  fill(digest: string) {
    this.counts.set(digest, { vectors: this.passages, pending: 0, failed: 0 });
  }
}

export class FakeEndpoint implements EmbedderEndpoint {
  down = false;
  calls = 0;
  model: (ModelRef & { modelId: string }) | undefined;
  readonly maxInputs = 32;
  constructor(
    readonly name: string,
    public serves: ModelRef & { modelId: string },
  ) {}
  async probe() {
    if (this.down) throw unavailable('down', 'embedder_unavailable');
    this.model = this.serves;
    return this.serves;
  }
  async embedQuery(_text: string) {
    this.calls++;
    await this.probe();
    return { vector: new Array(this.serves.dimensions).fill(0.5), model: this.serves };
  }
  async embedPassages(texts: string[]) {
    await this.probe();
    return { vectors: texts.map(() => new Array(this.serves.dimensions).fill(0.5)), model: this.serves };
  }
}
