import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway PostgreSQL primary and a streaming replica made from it with
 * pg_basebackup, each its own cluster in a temp directory on its own loopback
 * port. Nothing of the system cluster (port 5432, its pg_hba) is touched.
 *
 * Postgres refuses to run as root, so as root (tests here and in CI) every
 * cluster command runs as the `postgres` OS user (runuser) in directories it
 * owns; as any other user it runs as that user.
 */
const exec = promisify(execFile);

export const PG_BIN = process.env.POLYSEARCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const TOOLS = ['initdb', 'pg_ctl', 'pg_basebackup', 'pg_config'];

/** Whether a cluster can be started here; `reason` says what is missing. */
export function replicaClusterSupport(): { ok: true } | { ok: false; reason: string } {
  const missing = TOOLS.filter((t) => !existsSync(join(PG_BIN, t)));
  if (missing.length > 0) return { ok: false, reason: `PostgreSQL binaries not found in ${PG_BIN} (${missing.join(', ')}); set POLYSEARCH_PG_BIN` };
  const share = spawnSync(join(PG_BIN, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).stdout.trim();
  if (!existsSync(join(share, 'extension', 'vector.control'))) {
    return { ok: false, reason: `pgvector is not installed for ${PG_BIN} (bash scripts/ci/install-pgvector.sh)` };
  }
  if (process.getuid?.() === 0) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) return { ok: false, reason: 'running as root, but there is no postgres OS user to run the clusters as' };
    if (spawnSync('runuser', ['--help']).error) return { ok: false, reason: 'running as root, but runuser (util-linux) is missing' };
  }
  return { ok: true };
}

export interface ReplicaCluster {
  primaryUrl: string;
  replicaUrl: string;
  /** Stops the replica: `fast` lets it close connections cleanly, `immediate` drops them mid-query. */
  stopReplica(mode?: 'fast' | 'immediate'): Promise<void>;
  startReplica(): Promise<void>;
  /** Stops both clusters and deletes their directories (also run at process exit if forgotten). */
  destroy(): Promise<void>;
}

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? { uid: Number(idOf('-u')), gid: Number(idOf('-g')) } : undefined;
  const base = await mkdtemp(join(tmpdir(), 'polysearch-pg-'));
  const primaryDir = join(base, 'primary');
  const replicaDir = join(base, 'replica');
  if (owner) await chown(base, owner.uid, owner.gid);
  await chmod(base, 0o700);

  const run = async (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
    try {
      await exec(cmd, argv, { cwd: base, timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
    }
  };
  const pgCtl = (dir: string, ...args: string[]) => run('pg_ctl', ['-D', dir, '-l', `${dir}.log`, '-w', '-t', '60', ...args]);
  const stopQuietly = (dir: string) => pgCtl(dir, '-m', 'immediate', 'stop').catch(() => undefined);

  let destroyed = false;
  const destroySync = () => {
    if (destroyed) return;
    for (const dir of [replicaDir, primaryDir]) {
      if (!existsSync(join(dir, 'postmaster.pid'))) continue;
      const argv = [join(PG_BIN, 'pg_ctl'), '-D', dir, '-m', 'immediate', '-w', 'stop'];
      spawnSync(asRoot ? 'runuser' : argv[0], asRoot ? ['-u', 'postgres', '--', ...argv] : argv.slice(1));
    }
    spawnSync('rm', ['-rf', base]);
  };
  process.once('exit', destroySync);

  const [primaryPort, replicaPort] = await freePorts(2);
  try {
    await run('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    // Small and fast: a test cluster needs no durability (fsync off) but must stream WAL to a hot standby.
    await appendFile(
      join(primaryDir, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${primaryPort}`,
        `unix_socket_directories = '${base}'`,
        `wal_level = replica`,
        `max_wal_senders = 4`,
        `wal_keep_size = '256MB'`,
        `hot_standby = on`,
        `fsync = off`,
        `full_page_writes = off`,
        `shared_buffers = '32MB'`,
        `max_connections = 40`,
        '',
      ].join('\n'),
    );
    await writeFile(
      join(primaryDir, 'pg_hba.conf'),
      ['local all all trust', 'local replication all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''].join('\n'),
    );
    await pgCtl(primaryDir, 'start');
    // -R writes primary_conninfo and standby.signal: the copy starts as a streaming replica.
    await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast']);
    await appendFile(join(replicaDir, 'postgresql.auto.conf'), `port = ${replicaPort}\nunix_socket_directories = '${base}'\n`);
    await pgCtl(replicaDir, 'start');
  } catch (err) {
    await stopQuietly(replicaDir);
    await stopQuietly(primaryDir);
    destroySync();
    destroyed = true;
    throw err;
  }

  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    stopReplica: (mode = 'fast') => pgCtl(replicaDir, '-m', mode, 'stop'),
    startReplica: () => pgCtl(replicaDir, 'start'),
    async destroy() {
      if (destroyed) return;
      await stopQuietly(replicaDir);
      await stopQuietly(primaryDir);
      await rm(base, { recursive: true, force: true });
      destroyed = true;
      process.removeListener('exit', destroySync);
    },
  };
}

function idOf(flag: '-u' | '-g'): string {
  return spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim();
}

/** Ports free on loopback right now (the OS picks them; a race with another process is possible but unlikely). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
