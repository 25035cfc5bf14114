import { isPolysearchError, unavailable } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import { embedIsolatingRefusals } from '../core/embed-isolating.js';
import type { ModelDirectory } from '../core/rotation/model-directory.js';
import type { EmbedderEndpoint, StoredModel } from '../core/rotation/ports.js';
import type { SearchMetrics } from '../metrics.js';
import type { BackfillResult, ClaimedPassage, ClaimOptions } from '../store/backfill.js';
import type { PassageOutcome } from '../store/passage-outcome.js';
import type { StoreStats } from '../store/stats.js';
import type { PassageKey } from '../store/upsert-write.js';

/** What the backfill needs from storage. */
export interface BackfillStore {
  claimJobs(options: ClaimOptions): Promise<ClaimedPassage[]>;
  storeBackfilled(model: { key: number; dimensions: number }, items: readonly (ClaimedPassage & { outcome: PassageOutcome })[]): Promise<BackfillResult>;
  releaseJobs(modelKey: number, items: readonly PassageKey[]): Promise<void>;
  stats(options: { modelKey: number | null }): Promise<StoreStats>;
}

export interface BackfillOptions {
  store: BackfillStore;
  models: ModelDirectory;
  metrics: SearchMetrics;
  intervalMs: number;
  batch: number;
}

/**
 * Fills the vector tables of the models that need it: the current one
 * (passages stored while the embedder was down, or adopted after an
 * unplanned model swap) and, during a rotation, the next one — one batch of
 * each in turn, so a long rotation never starves the current model. Each
 * pass first reconciles the serving models with the configured embedders,
 * and ends by cutting over when the next model is complete (if allowed).
 * Claims are leased in the database, so replicas run it at once safely. A
 * passage the embedder refuses (INVALID_ARGUMENT) is set aside for that
 * model with its reason and never claimed again.
 */
export class BackfillWorker {
  private timer: NodeJS.Timeout | undefined;
  private gaugeAt = 0;
  private coverageAt = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private halt: () => void = () => undefined;
  /** Resolves at stop(): an embedder call the pass waits on is abandoned and its claims given back. */
  private readonly halted = new Promise<undefined>((resolve) => {
    this.halt = () => resolve(undefined);
  });

  constructor(private readonly o: BackfillOptions) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass until no work is left or the embedders fail; returns passages stored or set aside. */
  async runOnce(): Promise<number> {
    const { models } = this.o;
    try {
      await Promise.race([models.reconcile(), this.halted]);
    } catch (err) {
      logger.warn({ reason: isPolysearchError(err) ? err.reason : 'error' }, 'could not reconcile serving models this pass');
    }
    let total = 0;
    let targets = models.fillTargets();
    while (!this.stopped && targets.length > 0) {
      const stillBusy: typeof targets = [];
      for (const target of targets) {
        if (this.stopped) break;
        const done = await this.fillOnce(target.model, target.endpoint);
        if (done === undefined) continue; // nothing left, or its embedder failed: next pass
        total += done;
        stillBusy.push(target);
      }
      targets = stillBusy;
    }
    if (!this.stopped) {
      try {
        await models.maybeCutover();
      } catch (err) {
        logger.warn({ reason: isPolysearchError(err) ? err.reason : 'error' }, 'cutover did not happen this pass');
      }
    }
    // Stats are whole-table counts: refresh the gauges after work, else every 30 s.
    if (total > 0 || Date.now() - this.gaugeAt > 30_000) await this.refreshGauge();
    return total;
  }

  /** One batch for one model; undefined when there is no work or its embedder cannot serve now. */
  private async fillOnce(model: StoredModel, endpoint: EmbedderEndpoint): Promise<number | undefined> {
    const { store, metrics } = this.o;
    const claimed = await store.claimJobs({ modelKey: model.key, limit: this.o.batch });
    if (claimed.length === 0) return undefined;
    const outcomes = await Promise.race([this.embed(model, endpoint, claimed), this.halted]);
    if (!outcomes) {
      await store.releaseJobs(model.key, claimed);
      return undefined;
    }
    const result = await store.storeBackfilled(model, claimed.map((c, i) => ({ ...c, outcome: outcomes[i] })));
    metrics.backfilled.inc(result.stored);
    if (result.failed > 0) metrics.passageFailures.inc({ stage: 'backfill' }, result.failed);
    logger.info({ model: model.digest, stored: result.stored, setAside: result.failed, skipped: result.skipped }, 'backfill embedded passages');
    return result.stored + result.failed;
  }

  /** Vectors (or refusals) for the claimed passages, or undefined when the embedder cannot serve now. */
  private async embed(model: StoredModel, endpoint: EmbedderEndpoint, claimed: readonly ClaimedPassage[]): Promise<PassageOutcome[] | undefined> {
    try {
      return await embedIsolatingRefusals(
        claimed.map((c) => c.embeddingText),
        {
          batch: endpoint.maxInputs,
          refusal: (err) => endpoint.refusal(err),
          embed: async (texts) => {
            const { vectors, model: used } = await endpoint.embedPassages(texts);
            // Swapped behind the address since the pass began: not this model's vectors.
            if (used.digest !== model.digest) throw unavailable('the embedder now serves another model', 'embedder_model_changed');
            return vectors;
          },
        },
      );
    } catch (err) {
      logger.warn({ model: model.digest, passages: claimed.length, reason: (err as { reason?: string }).reason ?? 'error' }, 'backfill paused: embedder failed');
      return undefined;
    }
  }

  private async refreshGauge(): Promise<void> {
    this.gaugeAt = Date.now();
    try {
      const s = await this.o.store.stats({ modelKey: this.o.models.serving.current?.key ?? null });
      this.o.metrics.pendingPassages.set(s.pendingPassages);
      this.o.metrics.failedPassages.set(s.failedPassages);
      // Coverage counts every model's vectors: at most every 10 s, however busy the backfill is.
      if (Date.now() - this.coverageAt < 10_000) return;
      this.coverageAt = Date.now();
      const rotation = await this.o.models.status();
      this.o.metrics.modelCoverage.reset();
      this.o.metrics.modelBackfillRate.reset();
      for (const m of rotation.models) {
        this.o.metrics.modelCoverage.set({ model: m.model.digest, role: m.role }, m.coverage);
        this.o.metrics.modelBackfillRate.set({ model: m.model.digest, role: m.role }, m.perSecond);
      }
    } catch {
      // the next pass tries again
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(
        () => undefined,
        (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'backfill pass failed'),
      );
      void this.running.finally(() => this.schedule(this.o.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}

