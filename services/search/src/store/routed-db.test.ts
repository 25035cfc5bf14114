import { describe, expect, it } from 'vitest';
import { invalidArgument, unavailable } from '../../../../shared/errors.js';
import type { Db, QueryResult } from './db.js';
import { LSN_RECHECK_MS, parseLsn, RoutedDb, type ReadReason, type ReadTarget } from './routed-db.js';

/** A server as the router sees it: a WAL position, and whether it answers. */
class FakeServer implements Db {
  readonly backend = 'postgres' as const;
  lsn = 100n;
  standby: boolean;
  down = false;
  hang = false;
  checks = 0;
  constructor(
    readonly name: string,
    standby: boolean,
  ) {
    this.standby = standby;
  }
  async query<T>(sql: string): Promise<QueryResult<T>> {
    if (this.hang) return new Promise(() => undefined);
    if (this.down) throw unavailable('database unreachable', 'db_unreachable');
    const text = `${this.lsn >> 32n}/${(this.lsn & 0xffffffffn).toString(16).toUpperCase()}`;
    if (sql.includes('pg_current_wal_lsn')) return { rows: [{ lsn: text } as T], rowCount: 1 };
    if (sql.includes('pg_last_wal_replay_lsn')) {
      this.checks++;
      // A promoted replica still reports the last position it replayed.
      return { rows: [{ standby: this.standby, lsn: text } as T], rowCount: 1 };
    }
    throw new Error(`unexpected SQL ${sql}`);
  }
  transaction<T>(): Promise<T> {
    throw new Error('not used');
  }
  async close() {}
}

function setup(replicaCount = 1) {
  let clock = 1_000;
  const primary = new FakeServer('primary', false);
  const replicas = Array.from({ length: replicaCount }, (_, i) => new FakeServer(`replica-${i}`, true));
  const reads: { target: ReadTarget; reason: ReadReason }[] = [];
  const router = new RoutedDb({
    primary,
    replicas,
    maxLagMs: 500,
    checkIntervalMs: 100,
    retryAfterMs: 1_000,
    now: () => clock,
    onRead: (target, reason) => reads.push({ target, reason }),
  });
  /** The server a read of `tenant` ran on. */
  const readOn = (tenant?: string) => router.read(tenant, async (db) => (db as FakeServer).name);
  return { primary, replicas, router, reads, readOn, tick: (ms: number) => (clock += ms) };
}

describe('RoutedDb', () => {
  it('parses WAL positions', () => {
    expect(parseLsn('0/3000000')).toBe(0x3000000n);
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(() => parseLsn('nope')).toThrow(/WAL position/);
  });

  it('reads from caught-up replicas in turn, and from the primary before the first check', async () => {
    const { router, readOn, reads } = setup(2);
    expect(await readOn('t1')).toBe('primary');
    expect(reads.pop()).toEqual({ target: 'primary', reason: 'no_replica' });
    await router.check();
    const served = [await readOn('t1'), await readOn('t2'), await readOn(undefined), await readOn('t1')];
    expect(new Set(served)).toEqual(new Set(['replica-0', 'replica-1']));
    expect(reads.every((r) => r.target === 'replica')).toBe(true);
  });

  it('reads a tenant that just wrote from the primary until a replica has replayed the write', async () => {
    const { router, primary, replicas, readOn, reads, tick } = setup();
    await router.check();
    primary.lsn = 200n; // the write's commit
    await router.wrote(['t1']);
    tick(LSN_RECHECK_MS + 1);
    const checksBefore = replicas[0].checks;
    expect(await readOn('t1')).toBe('primary');
    expect(reads.pop()).toEqual({ target: 'primary', reason: 'read_your_writes' });
    expect(replicas[0].checks).toBe(checksBefore + 1); // re-read the replay position once before giving up
    expect(await readOn('t2')).toBe('replica-0'); // other tenants are not held back
    expect(await readOn(undefined)).toBe('primary'); // a read over all tenants must see every write
    replicas[0].lsn = 200n;
    tick(LSN_RECHECK_MS + 1);
    expect(await readOn('t1')).toBe('replica-0');
  });

  it('trusts a replay position read a few ms ago instead of asking again', async () => {
    const { router, primary, replicas, readOn } = setup();
    await router.check();
    primary.lsn = 200n;
    await router.wrote(['t1']);
    const checks = replicas[0].checks;
    expect(await readOn('t1')).toBe('primary');
    expect(replicas[0].checks).toBe(checks); // checked at the same instant: not asked again
  });

  it('leaves out a replica that lags beyond the bound, and takes it back once it catches up', async () => {
    const { router, primary, replicas, readOn, reads, tick } = setup();
    await router.check();
    primary.lsn = 300n; // someone else wrote; the replica stays at 100
    await router.check();
    tick(400);
    await router.check();
    expect(await readOn('t9')).toBe('replica-0'); // 400 ms behind: within 500
    tick(200);
    await router.check();
    expect(await readOn('t9')).toBe('primary');
    expect(reads.pop()).toEqual({ target: 'primary', reason: 'no_replica' });
    replicas[0].lsn = 300n;
    await router.check();
    expect(await readOn('t9')).toBe('replica-0');
  });

  it('runs a read that fails on a replica again on the primary, and probes the replica again later', async () => {
    const { router, replicas, reads, tick, readOn } = setup();
    await router.check();
    let attempts = 0;
    const result = await router.read('t1', async (db) => {
      attempts++;
      if (db === replicas[0]) throw unavailable('database connection failed', 'db_connection');
      return 'from primary';
    });
    expect(result).toBe('from primary');
    expect(attempts).toBe(2);
    expect(reads.pop()).toEqual({ target: 'primary', reason: 'replica_failed' });
    expect(await readOn('t1')).toBe('primary'); // left out
    replicas[0].down = true;
    tick(1_001);
    await router.check(); // still down
    expect(await readOn('t1')).toBe('primary');
    replicas[0].down = false;
    tick(1_001);
    await router.check();
    expect(await readOn('t1')).toBe('replica-0');
  });

  it('does not retry a read the caller got wrong', async () => {
    const { router } = setup();
    await router.check();
    let attempts = 0;
    await expect(
      router.read('t1', async () => {
        attempts++;
        throw invalidArgument('bad filter', 'bad_filter');
      }),
    ).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(attempts).toBe(1);
  });

  it('never reads from a server that is not in recovery (promoted, or the primary by mistake)', async () => {
    const { router, replicas, readOn } = setup();
    replicas[0].standby = false;
    await router.check();
    expect(await readOn('t1')).toBe('primary');
  });

  it('sends a tenant to the primary when the position of its write could not be read', async () => {
    const { router, primary, readOn, tick } = setup();
    await router.check();
    primary.down = true;
    await router.wrote(['t1']);
    primary.down = false;
    expect(await readOn('t1')).toBe('primary');
    expect(await readOn('t2')).toBe('replica-0');
    tick(601); // past maxLag + checkInterval the entry is gone; the lag bound takes over
    await router.check();
    expect(await readOn('t1')).toBe('replica-0');
  });

  it('leaves out a replica that does not answer its check in time', async () => {
    const primary = new FakeServer('primary', false);
    const replica = new FakeServer('replica-0', true);
    const router = new RoutedDb({ primary, replicas: [replica], maxLagMs: 30, checkIntervalMs: 10, retryAfterMs: 10_000 });
    await router.check();
    expect(await router.read('t', async (db) => (db as FakeServer).name)).toBe('replica-0');
    replica.hang = true;
    const started = performance.now();
    await router.check();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await router.read('t', async (db) => (db as FakeServer).name)).toBe('primary');
  });
});
