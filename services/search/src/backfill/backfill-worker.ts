import { logger } from '../../../../shared/logger.js';
import { embedIsolatingRefusals } from '../core/embed-isolating.js';
import { inputRefusal, type EmbedderClient } from '../embedder/embedder-client.js';
import type { SearchMetrics } from '../metrics.js';
import { setPassagesAside, type ClaimedPassage } from '../store/backfill.js';
import { isRefused, type PassageOutcome } from '../store/passage-outcome.js';
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
 * A passage the embedder refuses (INVALID_ARGUMENT) is set aside with its
 * reason and never claimed again, so one poison passage cannot stall the
 * backlog behind it; the rest of its batch is embedded.
 */
export class BackfillWorker {
  private timer: NodeJS.Timeout | undefined;
  private gaugeAt = 0;
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
        fingerprint = (await Promise.race([embedder.info(), this.halted]))?.model?.digest;
      } catch {
        break;
      }
      if (!fingerprint) break;
      const claimed = await store.claimPendingPassages({ limit: this.o.batch, fingerprint });
      if (claimed.length === 0) break;
      const embedded = await Promise.race([this.embed(claimed), this.halted]);
      if (!embedded) {
        await store.releasePassageClaims(claimed);
        break;
      }
      const vectors = claimed.flatMap((c, i) => (isRefused(embedded.outcomes[i]) ? [] : [{ ...c, embedding: embedded.outcomes[i] as number[] }]));
      const refused = claimed.flatMap((c, i) => {
        const o = embedded.outcomes[i];
        return isRefused(o) ? [{ ...c, reason: o.refused }] : [];
      });
      const { stored, skipped } = embedded.digest ? await store.storePassageEmbeddings(vectors, embedded.digest) : { stored: 0, skipped: 0 };
      const setAside = await setPassagesAside(store.ctx, refused);
      total += stored + setAside;
      metrics.backfilled.inc(stored);
      if (setAside > 0) metrics.passageFailures.inc({ stage: 'backfill' }, setAside);
      logger.info({ stored, skipped, setAside, reasons: countBy(claimed.map((c) => c.reason)) }, 'backfill embedded passages');
    }
    // Stats are whole-table counts: refresh the gauge after work, else rarely.
    if (total > 0 || Date.now() - this.gaugeAt > 30_000) await this.refreshGauge();
    return total;
  }

  /**
   * Vectors (or refusals) for the claimed passages, or undefined when the
   * embedder cannot serve now (the claims are then given back).
   */
  private async embed(claimed: readonly ClaimedPassage[]): Promise<{ outcomes: PassageOutcome[]; digest: string | undefined } | undefined> {
    const { embedder } = this.o;
    const digests = new Set<string>();
    try {
      const outcomes = await embedIsolatingRefusals(
        claimed.map((c) => c.embeddingText),
        {
          batch: embedder.lastKnownInfo?.maxInputs || claimed.length,
          refusal: inputRefusal,
          embed: async (texts) => {
            const { vectors, fingerprint } = await embedder.embedPassages(texts);
            digests.add(fingerprint.digest);
            return vectors;
          },
        },
      );
      // A model swapped between the calls of one pass: which vector is whose is unclear, try again next pass.
      if (digests.size > 1) return undefined;
      return { outcomes, digest: [...digests][0] };
    } catch (err) {
      logger.warn({ passages: claimed.length, reason: (err as { reason?: string }).reason ?? 'error' }, 'backfill paused: embedder failed');
      return undefined;
    }
  }

  private async refreshGauge(): Promise<void> {
    this.gaugeAt = Date.now();
    try {
      const s = await this.o.store.stats({ fingerprint: this.o.embedder.fingerprint?.digest ?? null });
      this.o.metrics.pendingPassages.set(s.pendingPassages + s.stalePassages);
      this.o.metrics.failedPassages.set(s.failedPassages);
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
