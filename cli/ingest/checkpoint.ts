import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/**
 * What a restarted ingest needs to skip the batches the service already
 * acknowledged. The file may have changed since: the checkpoint holds the
 * sha256 of the bytes before `offset`, and is used only when they are
 * unchanged (appending to the file keeps it valid). Anything else starts from
 * the top, which costs little: unchanged documents are not embedded again.
 */
export interface Checkpoint {
  version: 1;
  /** What the ingest wrote to: a checkpoint of another tenant or service is not ours. */
  target: { address: string; tenantId: string; locale: string; format: string };
  /** Byte offset just past the last acknowledged record; its line; documents before it. */
  offset: number;
  line: number;
  documents: number;
  prefixSha256: string;
  /** Sums of the acknowledged UpsertResponses. */
  totals: Totals;
}

export interface Totals {
  inserted: number;
  updated: number;
  unchanged: number;
  pending: number;
}

export const emptyTotals = (): Totals => ({ inserted: 0, updated: 0, unchanged: 0, pending: 0 });

export function defaultCheckpointPath(file: string): string {
  return `${file}.polysearch-checkpoint.json`;
}

export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  // Write then rename: a kill mid-write leaves the previous checkpoint, never half of one.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(tmp, path);
}

export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}

export type Resume = { checkpoint: Checkpoint; hash: Hash } | { ignored: string } | undefined;

/**
 * The checkpoint at `path` if it belongs to this ingest and the file still
 * starts with the bytes it covered, with a hash of that prefix to continue
 * from; `ignored` says why one was found but not used; undefined: none.
 */
export async function loadCheckpoint(path: string, file: string, target: Checkpoint['target']): Promise<Resume> {
  let checkpoint: Checkpoint;
  try {
    checkpoint = JSON.parse(await readFile(path, 'utf8')) as Checkpoint;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { ignored: `checkpoint ${path} is unreadable (${(err as Error).message})` };
  }
  if (checkpoint.version !== 1 || typeof checkpoint.offset !== 'number' || !checkpoint.target) return { ignored: `checkpoint ${path} is not one this version wrote` };
  const mismatch = (Object.keys(target) as (keyof Checkpoint['target'])[]).find((k) => checkpoint.target[k] !== target[k]);
  if (mismatch) return { ignored: `checkpoint ${path} was for ${mismatch} ${JSON.stringify(checkpoint.target[mismatch])}, not ${JSON.stringify(target[mismatch])}` };
  const hash = createHash('sha256');
  let read = 0;
  if (checkpoint.offset > 0) {
    for await (const chunk of createReadStream(file, { start: 0, end: checkpoint.offset - 1 })) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
  }
  if (read !== checkpoint.offset || hash.copy().digest('hex') !== checkpoint.prefixSha256) {
    return { ignored: `the first ${checkpoint.offset} bytes of ${file} changed since checkpoint ${path}` };
  }
  return { checkpoint, hash };
}
