import { failedPrecondition, isPolysearchError, notFound, unavailable } from '../../../../../shared/errors.js';
import { logger } from '../../../../../shared/logger.js';
import type { ModelRef } from '../search/ports.js';
import type { EmbedderEndpoint, ModelCoverage, ModelRegistry, Serving, ServingChange, StoredModel } from './ports.js';

export interface RotationStatus {
  serving: Serving;
  passages: number;
  models: (ModelCoverage & { role: 'current' | 'next' | 'previous' | 'retired'; coverage: number; perSecond: number })[];
  /** The next model covers every passage that can be embedded. */
  cutoverReady: boolean;
}

export interface ModelDirectoryOptions {
  registry: ModelRegistry;
  /** The configured embedders: 'current' first, then 'next' when a rotation is configured. */
  endpoints: readonly EmbedderEndpoint[];
  /** Cut over by itself once the next model covers every passage (ROTATION_AUTO_CUTOVER). */
  autoCutover: boolean;
}

/**
 * Which model serves queries, which is being built, and which embedder
 * serves each. The shared truth is the store's serving row (one per schema,
 * compare-and-set on a generation), so every replica switches together;
 * this class caches it, reconciles it with the configured embedders, and
 * carries out cutover, rollback and purge.
 *
 * - No model yet: the current embedder's model becomes current.
 * - A next embedder is configured and serves another model: it becomes
 *   `next`, every passage is queued for it, queries stay on `current`.
 * - The next model covers every passage: cutover (automatic, or by an
 *   operator), tastes rebuilt first. The old model stays as `previous`
 *   until purged, so rollback is pointing back.
 * - The current embedder now serves another model and no configured
 *   embedder serves the current one (an unplanned swap): its model is
 *   adopted as current and the backfill re-embeds everything; until then
 *   semantic search covers only what is re-embedded. The log says to use
 *   a next embedder instead.
 */
export class ModelDirectory {
  private state: Serving = { current: undefined, next: undefined, previous: undefined, autoCutover: true, generation: -1 };

  constructor(private readonly o: ModelDirectoryOptions) {}

  get serving(): Serving {
    return this.state;
  }

  /** The endpoint whose embedder serves this model now, if any. */
  endpointFor(model: ModelRef | undefined): EmbedderEndpoint | undefined {
    if (!model) return undefined;
    return this.o.endpoints.find((e) => e.model?.digest === model.digest);
  }

  /** Re-reads the shared serving row. */
  async refresh(): Promise<Serving> {
    const next = await this.o.registry.serving();
    if (this.state.generation >= 0 && next.generation !== this.state.generation) {
      logger.info({ generation: next.generation, current: next.current?.digest, next: next.next?.digest }, 'serving models changed');
    }
    this.state = next;
    return next;
  }

  /**
   * Asks the configured embedders which models they serve and brings the
   * serving row in line (see the class comment). Unreachable embedders are
   * skipped: their turn comes at the next reconcile.
   */
  async reconcile(): Promise<void> {
    await this.refresh();
    for (const e of this.o.endpoints) {
      try {
        await e.probe();
      } catch (err) {
        if (!isPolysearchError(err) || err.kind !== 'unavailable') throw err;
      }
    }
    const primary = this.o.endpoints.find((e) => e.name === 'current')?.model;
    const nextModel = this.o.endpoints.find((e) => e.name === 'next')?.model;
    let s = this.state;
    if (primary && (!s.current || (primary.digest !== s.current.digest && !this.endpointFor(s.current)))) {
      const adopted = await this.o.registry.register(primary);
      if (s.current) {
        logger.warn(
          { from: s.current.digest, to: adopted.digest },
          'the embedder now serves another model and none serves the current one: adopting it; semantic search covers only re-embedded passages until the backfill finishes (set EMBEDDER_NEXT_ADDRESSES for a rotation without loss)',
        );
      }
      await this.change(s, {
        current: adopted,
        previous: s.current ?? s.previous,
        next: s.next?.digest === adopted.digest ? undefined : s.next,
        autoCutover: s.autoCutover,
      });
      await this.o.registry.enqueueMissing(adopted);
      s = this.state;
    }
    if (nextModel && s.current && nextModel.digest !== s.current.digest && nextModel.digest !== s.next?.digest) {
      const next = await this.o.registry.register(nextModel);
      const queued = await this.o.registry.enqueueMissing(next);
      logger.info({ next: next.digest, dimensions: next.dimensions, queued }, 'rotation started: embedding every passage with the next model');
      await this.change(s, { ...s, next, autoCutover: true });
    }
  }

  /** Models the backfill fills, most urgent first: the current one (searches miss what it lacks), then the next. */
  fillTargets(): { model: StoredModel; endpoint: EmbedderEndpoint }[] {
    const out: { model: StoredModel; endpoint: EmbedderEndpoint }[] = [];
    for (const model of [this.state.current, this.state.next]) {
      const endpoint = this.endpointFor(model);
      if (model && endpoint) out.push({ model, endpoint });
    }
    return out;
  }

  async status(): Promise<RotationStatus> {
    await this.refresh();
    const s = this.state;
    const { passages, models } = await this.o.registry.coverage();
    const role = (m: StoredModel) =>
      m.digest === s.current?.digest ? 'current' : m.digest === s.next?.digest ? 'next' : m.digest === s.previous?.digest ? 'previous' : 'retired';
    const withRoles = models.map((c) => ({
      ...c,
      role: role(c.model) as RotationStatus['models'][number]['role'],
      coverage: passages === 0 ? 1 : c.vectors / passages,
      perSecond: c.lastMinute / 60,
    }));
    const next = withRoles.find((m) => m.role === 'next');
    return { serving: s, passages, models: withRoles, cutoverReady: next !== undefined && next.pending === 0 };
  }

  /** Called by the backfill after each pass: cuts over when allowed and the next model is complete. */
  async maybeCutover(): Promise<boolean> {
    if (!this.o.autoCutover) return false;
    const status = await this.status();
    if (!status.cutoverReady || !status.serving.autoCutover) return false;
    await this.cutover({ force: false });
    return true;
  }

  /** Makes the next model current, for every replica at once. */
  async cutover(options: { expectDigest?: string; force: boolean }): Promise<Serving> {
    const status = await this.status();
    const s = status.serving;
    if (!s.next) throw failedPrecondition('no next model is being built: configure EMBEDDER_NEXT_ADDRESSES first', 'no_next_model');
    if (options.expectDigest && options.expectDigest !== s.next.digest) {
      throw failedPrecondition(`the next model is ${s.next.digest}, not ${options.expectDigest}`, 'next_model_differs');
    }
    if (!status.cutoverReady && !options.force) {
      const n = status.models.find((m) => m.role === 'next');
      throw failedPrecondition(`the next model covers ${n ? Math.floor(n.coverage * 1000) / 10 : 0}% of passages; wait, or force`, 'next_model_incomplete');
    }
    const users = await this.o.registry.rebuildTastes(s.next);
    await this.change(s, { current: s.next, next: undefined, previous: s.current, autoCutover: true });
    logger.info({ current: s.next.digest, previous: s.current?.digest, users }, 'cut over to the next model');
    return this.state;
  }

  /** Serves the previous model again; the model it replaces waits as `next` for an explicit cutover. */
  async rollback(): Promise<Serving> {
    const s = await this.refresh();
    if (!s.previous) throw failedPrecondition('there is no previous model to roll back to (it was purged, or no cutover happened)', 'no_previous_model');
    if (!this.endpointFor(s.previous)) {
      throw failedPrecondition(`no configured embedder serves the previous model ${s.previous.digest}; point EMBEDDER_ADDRESSES or EMBEDDER_NEXT_ADDRESSES at it first`, 'no_embedder_for_previous');
    }
    await this.change(s, { current: s.previous, next: s.current, previous: undefined, autoCutover: false });
    logger.info({ current: s.previous.digest, next: s.current?.digest }, 'rolled back to the previous model');
    return this.state;
  }

  /** Drops a model's vectors. The current and next models cannot be purged. */
  async purge(digest: string): Promise<number> {
    const status = await this.status();
    const s = status.serving;
    const target = status.models.find((m) => m.model.digest === digest)?.model;
    if (!target) throw notFound(`no vectors are kept for model ${digest}`);
    if (target.digest === s.current?.digest || target.digest === s.next?.digest) {
      throw failedPrecondition(`model ${digest} is ${target.digest === s.current?.digest ? 'current' : 'next'}; only a previous or retired model can be purged`, 'model_in_use');
    }
    if (s.previous?.digest === digest) await this.change(s, { ...s, previous: undefined });
    return this.o.registry.drop(target);
  }

  private async change(from: Serving, to: ServingChange): Promise<void> {
    if (!(await this.o.registry.setServing(from.generation, to))) {
      // Another replica or an operator changed it first: take theirs.
      await this.refresh();
      throw unavailable('the serving models were changed concurrently; retry', 'serving_changed');
    }
    await this.refresh();
  }
}
