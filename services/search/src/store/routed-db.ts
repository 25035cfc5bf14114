import { isPolysearchError } from '../../../../shared/errors.js';
import { logger } from '../../../../shared/logger.js';
import type { Db } from './db.js';
import { toPolysearchError } from './db-errors.js';

const log = logger.child({ component: 'search-db-routing' });

/**
 * Sends reads to streaming replicas and everything else to the primary.
 *
 * Consistency rule ("read your writes, bounded staleness otherwise"):
 * - After a write for a tenant commits, the primary's WAL position
 *   (`pg_current_wal_lsn()`, read after COMMIT, so at or past the commit
 *   record) is remembered for that tenant in this process. A read of that
 *   tenant goes to a replica only once the replica's replay position
 *   (`pg_last_wal_replay_lsn()`) has reached it — checked from a cached value,
 *   re-read at most every LSN_RECHECK_MS when it falls short — else to the
 *   primary. So a caller that wrote through this process reads its writes,
 *   whichever replica serves it. (Through another search process it is not
 *   guaranteed: pin a caller's writes and reads to one process, or read the
 *   primary, if that matters.)
 * - Every other read goes to a replica whose lag is at most `maxLagMs`: lag
 *   is how long the replica has been missing WAL the primary is known to
 *   have had (positions sampled every `checkIntervalMs` and at every write of
 *   this process). A read may thus miss other processes' writes of the last
 *   maxLagMs + checkIntervalMs, never more.
 * - A replica that lags beyond the bound, stops answering its check, is no
 *   longer in recovery (promoted or misconfigured), or fails a read is left
 *   out; a failed one is probed again after `retryAfterMs`. A read that fails
 *   on a replica is run again on the primary (reads are idempotent), so a
 *   replica going away costs latency, never a failed call.
 * The remembered positions live `maxLagMs + checkIntervalMs`: past that, the
 *   lag bound alone keeps a replica that lacks the write from serving.
 */
export interface RoutedDbOptions {
  primary: Db;
  replicas: readonly Db[];
  /** A replica lagging more than this serves no reads. */
  maxLagMs: number;
  /** How often replica replay positions and the primary's WAL position are sampled. */
  checkIntervalMs: number;
  /** How long a replica that failed is left alone before it is checked again. */
  retryAfterMs: number;
  /** Told where each read went and why (metrics). */
  onRead?: (target: ReadTarget, reason: ReadReason) => void;
  /** Told each replica's measured lag after a check (metrics); Infinity when it is out. */
  onReplicaLag?: (replica: string, lagMs: number) => void;
  /** Clock (tests). */
  now?: () => number;
}

export type ReadTarget = 'primary' | 'replica';
export type ReadReason =
  /** Served by a replica. */
  | 'replica'
  /** No replica is up and within the lag bound. */
  | 'no_replica'
  /** The tenant wrote recently and no replica has replayed that write yet. */
  | 'read_your_writes'
  /** The replica failed during the read; it ran again on the primary. */
  | 'replica_failed';

/** How long a replica's cached replay position is trusted before a read that needs a newer one re-reads it. */
export const LSN_RECHECK_MS = 5;
/** Remembered writes are also bounded in number (tenants), oldest dropped first; a dropped one only loses the guarantee for reads past the lag bound. */
const MAX_REMEMBERED_TENANTS = 100_000;
/** Sentinel position for a write whose WAL position could not be read: its tenant reads the primary until the entry expires. */
const UNKNOWN_LSN = 0xffff_ffff_ffff_ffffn;

interface Replica {
  name: string;
  db: Db;
  /** Last replay position read from it, and when. */
  replayLsn: bigint | undefined;
  checkedAt: number;
  /** 0 while usable; otherwise left out until this time. */
  downUntil: number;
  rechecking?: Promise<void>;
}

export class RoutedDb {
  readonly primary: Db;
  readonly replicas: readonly Db[];
  private readonly o: Required<Omit<RoutedDbOptions, 'onRead' | 'onReplicaLag'>> & Pick<RoutedDbOptions, 'onRead' | 'onReplicaLag'>;
  private readonly state: Replica[];
  /** Primary WAL positions (strictly increasing) and when each was first seen, oldest first. */
  private samples: { at: number; lsn: bigint }[] = [];
  /** tenant → newest write position of this process (Map order = insertion order, refreshed on write). */
  private readonly writes = new Map<string, { at: number; lsn: bigint }>();
  private lastWrite: { at: number; lsn: bigint } | undefined;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(options: RoutedDbOptions) {
    this.o = { now: () => performance.now(), ...options };
    this.primary = options.primary;
    this.replicas = options.replicas;
    this.state = options.replicas.map((db, i) => ({ name: `replica-${i}`, db, replayLsn: undefined, checkedAt: -Infinity, downUntil: 0 }));
  }

  /** Checks the replicas once (so the first reads can use them), then every checkIntervalMs. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.o.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /**
   * Runs a read on the server the consistency rule picks for `tenantId`
   * (undefined: a read over all tenants, which must see every write of this
   * process). `fn` may run twice: on a replica, then on the primary.
   */
  async read<T>(tenantId: string | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
    const choice = await this.choose(tenantId);
    if (!choice.replica) {
      this.o.onRead?.('primary', choice.reason);
      return fn(this.primary);
    }
    const replica = choice.replica;
    try {
      const result = await fn(replica.db);
      this.o.onRead?.('replica', 'replica');
      return result;
    } catch (err) {
      if (isCallerError(err)) throw err;
      this.markDown(replica, err, 'read failed');
      this.o.onRead?.('primary', 'replica_failed');
      return fn(this.primary);
    }
  }

  /**
   * Remembers that these tenants were written (call after the write
   * returned). Never throws: a position that cannot be read sends the
   * tenants' reads to the primary for a while instead.
   */
  async wrote(tenantIds: Iterable<string>): Promise<void> {
    if (this.state.length === 0) return;
    let lsn: bigint;
    try {
      lsn = await this.primaryLsn();
    } catch {
      lsn = UNKNOWN_LSN;
    }
    const at = this.o.now();
    for (const tenant of new Set(tenantIds)) {
      this.writes.delete(tenant);
      this.writes.set(tenant, { at, lsn });
    }
    this.lastWrite = { at, lsn };
    while (this.writes.size > MAX_REMEMBERED_TENANTS) this.writes.delete(this.writes.keys().next().value as string);
  }

  /** Samples the primary's WAL position and every replica due a check; marks replicas up or down. */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  // ---------------------------------------------------------------------------

  private async runCheck(): Promise<void> {
    const now = this.o.now();
    await this.primaryLsn().catch(() => undefined); // a primary outage fails the reads anyway
    await Promise.all(this.state.filter((r) => r.downUntil <= now).map((r) => this.checkReplica(r)));
    this.forgetOld();
    for (const r of this.state) this.o.onReplicaLag?.(r.name, r.downUntil > this.o.now() ? Infinity : this.lagMs(r));
  }

  private async checkReplica(r: Replica): Promise<void> {
    try {
      const { rows } = await withTimeout(
        r.db.query<{ standby: boolean; lsn: string | null }>(`SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn`),
        Math.max(this.o.checkIntervalMs, this.o.maxLagMs),
      );
      const row = rows[0];
      if (!row?.standby) {
        this.markDown(r, undefined, 'not in recovery: promoted, or not a replica');
        return;
      }
      const wasDown = r.downUntil !== 0;
      r.replayLsn = row.lsn ? parseLsn(row.lsn) : undefined;
      r.checkedAt = this.o.now();
      r.downUntil = 0;
      if (wasDown) log.info({ replica: r.name }, 'replica back in rotation');
    } catch (err) {
      this.markDown(r, err, 'check failed');
    }
  }

  /** Re-reads one replica's replay position (single-flight), for a read that needs a newer one. */
  private recheck(r: Replica): Promise<void> {
    r.rechecking ??= this.checkReplica(r).finally(() => (r.rechecking = undefined));
    return r.rechecking;
  }

  private async primaryLsn(): Promise<bigint> {
    const { rows } = await this.primary.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
    const lsn = parseLsn(rows[0].lsn);
    const at = this.o.now();
    const last = this.samples[this.samples.length - 1];
    if (!last || lsn > last.lsn) this.samples.push({ at, lsn });
    return lsn;
  }

  private async choose(tenantId: string | undefined): Promise<{ replica?: Replica; reason: ReadReason }> {
    const usable = this.usable();
    if (usable.length === 0) return { reason: 'no_replica' };
    const need = this.needed(tenantId);
    const start = this.next++;
    const rotate = (list: Replica[]) => list.map((_, i) => list[(start + i) % list.length]);
    const ready = (r: Replica) => r.replayLsn !== undefined && r.replayLsn >= need;
    let found = rotate(usable).find(ready);
    if (!found && need !== UNKNOWN_LSN) {
      // Replay positions cached a few ms ago may be behind: re-read the stale ones once.
      const stale = usable.filter((r) => this.o.now() - r.checkedAt > LSN_RECHECK_MS);
      if (stale.length > 0) {
        await Promise.all(stale.map((r) => this.recheck(r)));
        found = rotate(this.usable()).find(ready);
      }
    }
    return found ? { replica: found, reason: 'replica' } : { reason: 'read_your_writes' };
  }

  private usable(): Replica[] {
    const now = this.o.now();
    return this.state.filter((r) => r.downUntil <= now && r.replayLsn !== undefined && this.lagMs(r) <= this.o.maxLagMs);
  }

  /** The WAL position a read of this tenant must see (0 when the tenant has no recent write here). */
  private needed(tenantId: string | undefined): bigint {
    const horizon = this.o.now() - this.rememberMs();
    const w = tenantId === undefined ? this.lastWrite : this.writes.get(tenantId);
    return w && w.at >= horizon ? w.lsn : 0n;
  }

  /** How long the replica has been missing WAL the primary is known to have had (0 when it has all of it). */
  private lagMs(r: Replica): number {
    const replay = r.replayLsn;
    if (replay === undefined) return Infinity;
    // Samples are in increasing position: binary-search the first one the replica lacks.
    let lo = 0;
    let hi = this.samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.samples[mid].lsn > replay) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.samples.length ? Math.max(0, this.o.now() - this.samples[lo].at) : 0;
  }

  private rememberMs(): number {
    return this.o.maxLagMs + this.o.checkIntervalMs;
  }

  /**
   * Drops remembered writes past their horizon and old samples, keeping the
   * newest sample older than the window: a replica still behind it must
   * keep measuring as lagging.
   */
  private forgetOld(): void {
    const horizon = this.o.now() - this.rememberMs();
    for (const [tenant, w] of this.writes) {
      if (w.at >= horizon) break; // insertion order is write order
      this.writes.delete(tenant);
    }
    const window = this.o.now() - 2 * this.rememberMs();
    while (this.samples.length > 1 && this.samples[1].at < window) this.samples.shift();
  }

  private markDown(r: Replica, err: unknown, why: string): void {
    const wasUp = r.downUntil === 0;
    r.downUntil = this.o.now() + this.o.retryAfterMs;
    if (wasUp) {
      const e = err === undefined ? undefined : toPolysearchError(err);
      log.warn({ replica: r.name, why, reason: e?.reason, code: e?.cause instanceof Error ? (e.cause as { code?: string }).code : undefined, retryAfterMs: this.o.retryAfterMs }, 'replica left out; reads go elsewhere');
    }
  }
}

/** Errors that would repeat on any server: the caller's, not the replica's. */
function isCallerError(err: unknown): boolean {
  return isPolysearchError(err) && (err.kind === 'invalid_argument' || err.kind === 'not_found' || err.kind === 'failed_precondition' || err.kind === 'cancelled');
}

/** "16/B374D848" → 0x16B374D848. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  p.catch(() => undefined); // a late failure after the timeout is not unhandled
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
