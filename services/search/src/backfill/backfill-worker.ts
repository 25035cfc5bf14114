import { logger } from '../../../../shared/logger.js';
import type { EmbedderClient } from '../embedder/embedder-client.js';
import type { SearchMetrics } from '../metrics.js';
import type { SearchStore } from '../store/search-store.js';

export interface BackfillOptions {
  store: SearchStore;
  embedder: EmbedderClient;
  metrics: SearchMetrics;
  intervalMs: number;
  batch: number;
}

/**
 * Embeds passages stored while the embedder was down, and re-embeds passages
 * whose vectors came from another model (a model change). Claims are leased
 * in the database, so several replicas can run it at once. It backs off while
 * the embedder's circuit is open (its calls fail at once until a probe passes).
 */
export class BackfillWorker {
  private timer: NodeJS.Timeout | undefined;
  private gaugeAt = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: BackfillOptions) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass until no work is left or the embedder fails; returns passages stored. */
  async runOnce(): Promise<number> {
    const { store, embedder, metrics } = this.o;
    let total = 0;
    for (;;) {
      // No check of the breaker here: while it is open the call below fails at
      // once, and after the half-open delay it is the probe that closes it.
      if (this.stopped) break;
      // Ask every pass: a rollout can swap the model behind the same address,
      // and only the current digest tells which vectors are stale.
      let fingerprint: string | undefined;
      try {
        fingerprint = (await embedder.info()).model?.digest;
      } catch {
        break;
      }
      if (!fingerprint) break;
      const claimed = await store.claimPendingPassages({ limit: this.o.batch, fingerprint });
      if (claimed.length === 0) break;
      try {
        const { vectors, fingerprint: used } = await embedder.embedPassages(claimed.map((c) => c.embeddingText));
        const { stored, skipped } = await store.storePassageEmbeddings(
          claimed.map((c, i) => ({ ...c, embedding: vectors[i] })),
          used.digest,
        );
        total += stored;
        metrics.backfilled.inc(stored);
        logger.info({ stored, skipped, reasons: countBy(claimed.map((c) => c.reason)) }, 'backfill embedded passages');
      } catch (err) {
        await store.releasePassageClaims(claimed);
        logger.warn({ passages: claimed.length, reason: (err as { reason?: string }).reason ?? 'error' }, 'backfill paused: embedder failed');
        break;
      }
    }
    // Stats are whole-table counts: refresh the gauge after work, else rarely.
    if (total > 0 || Date.now() - this.gaugeAt > 30_000) await this.refreshGauge();
    return total;
  }

  private async refreshGauge(): Promise<void> {
    this.gaugeAt = Date.now();
    try {
      const s = await this.o.store.stats({ fingerprint: this.o.embedder.fingerprint?.digest ?? null });
      this.o.metrics.pendingPassages.set(s.pendingPassages + s.stalePassages);
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

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
