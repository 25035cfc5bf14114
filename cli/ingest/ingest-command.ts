import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isServiceError, status, type DocumentInput, type PolysearchSearchClient } from '../../shared/client/index.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { serviceFailure } from '../service-errors.js';
import { emptyTotals, loadCheckpoint, removeCheckpoint, saveCheckpoint, type Checkpoint, type Totals } from './checkpoint.js';
import { readDocuments, type Format } from './document-stream.js';
import { Progress, type ProgressSink } from './progress.js';

export interface IngestOptions {
  file: string;
  format: Format;
  tenantId: string;
  /** Locale for records without one. */
  locale: string;
  /** Documents per Upsert (the service's UPSERT_MAX_DOCUMENTS is 100 by default). */
  batchSize: number;
  /** A batch is sent early once its text reaches this many bytes (the service takes 64 MiB per call). */
  maxBatchBytes: number;
  checkpointPath: string;
  /** Ignore an existing checkpoint and start from the top. */
  restart: boolean;
  /** Budget of one Upsert, retries included. */
  deadlineMs: number;
  progressEveryMs: number;
  /** The service address, recorded in the checkpoint. */
  address: string;
}

export interface IngestIo {
  stdout: ProgressSink;
  stderr: ProgressSink;
  /** Aborted on Ctrl-C: the batch in flight finishes, the checkpoint is saved, exit 130. */
  interrupt?: AbortSignal;
}

const MAX_REPORTED = 50;
const STATS_EVERY_MS = 2_000;

interface Pending {
  document: DocumentInput;
  line: number;
}

function bytesOf(d: DocumentInput): number {
  let n = Buffer.byteLength(d.id) + Buffer.byteLength(d.title ?? '') + Buffer.byteLength(d.content ?? '');
  for (const [k, v] of Object.entries(d.metadata ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** Reads the whole file once: every invalid line (and repeated id) with its line number, and the document count. */
async function validate(o: IngestOptions): Promise<{ total: number; problems: string[] }> {
  const problems: string[] = [];
  const firstLineOf = new Map<string, number>();
  let total = 0;
  for await (const record of readDocuments(o.file, o.format, { tenantId: o.tenantId, locale: o.locale })) {
    if ('error' in record) {
      problems.push(`${o.file}:${record.line}: ${record.error}`);
      continue;
    }
    const seen = firstLineOf.get(record.document.id);
    if (seen !== undefined) {
      problems.push(`${o.file}:${record.line}: id ${JSON.stringify(record.document.id)} is already on line ${seen}; ids must be unique in a file`);
      continue;
    }
    firstLineOf.set(record.document.id, record.line);
    total++;
  }
  return { total, problems };
}

/**
 * `polysearch ingest`: validate the file, then upsert it in batches, saving a
 * checkpoint after every acknowledged batch. A rerun resumes after the last
 * one; documents the service already holds unchanged are counted
 * `unchanged` and not embedded again.
 */
export async function ingest(client: PolysearchSearchClient, o: IngestOptions, io: IngestIo): Promise<ExitCode> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  try {
    if (!(await stat(o.file)).isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new CliError(EXIT.input, `cannot read ${o.file}: ${(err as Error).message}`);
  }

  const { total, problems } = await validate(o);
  if (problems.length > 0) {
    for (const p of problems.slice(0, MAX_REPORTED)) warn(p);
    if (problems.length > MAX_REPORTED) warn(`… and ${problems.length - MAX_REPORTED} more`);
    throw new CliError(EXIT.input, `${problems.length} invalid line${problems.length === 1 ? '' : 's'} in ${o.file}; nothing was sent. Fix them and run again.`);
  }
  if (total === 0) throw new CliError(EXIT.input, `${o.file} holds no documents`);

  try {
    await access(dirname(o.checkpointPath), constants.W_OK);
  } catch {
    throw new CliError(EXIT.usage, `cannot write the checkpoint ${o.checkpointPath}: pass --checkpoint PATH in a writable directory`);
  }

  const target: Checkpoint['target'] = { address: o.address, tenantId: o.tenantId, locale: o.locale, format: o.format };
  const resume = o.restart ? undefined : await loadCheckpoint(o.checkpointPath, o.file, target);
  if (resume && 'ignored' in resume) warn(`starting from the top: ${resume.ignored}`);
  const from = resume && 'checkpoint' in resume ? resume.checkpoint : undefined;
  const hash = resume && 'hash' in resume ? resume.hash : createHash('sha256');
  if (from) say(`resuming after line ${from.line - 1}: ${from.documents} of ${total} documents were acknowledged before`);

  const totals: Totals = from ? { ...from.totals } : emptyTotals();
  let done = from?.documents ?? 0;
  const rejected: string[] = [];
  const started = Date.now();
  const progress = new Progress(io.stderr, { total, resumed: done, everyMs: o.progressEveryMs });
  let pendingPassages: number | undefined;
  let lastStats = 0;
  const pollStats = () => {
    if (Date.now() - lastStats < STATS_EVERY_MS) return;
    lastStats = Date.now();
    client.stats(o.tenantId, { deadlineMs: 2_000, retry: false }).then(
      (s) => (pendingPassages = Number(s.tenants.find((t) => t.tenantId === o.tenantId)?.pendingPassages ?? s.pendingPassages)),
      () => undefined, // progress only: a missed poll is not a failure
    );
  };

  /** Upserts a batch; when the service calls it invalid, halves it until the bad documents are alone, and reports them by line. */
  const send = async (batch: Pending[]): Promise<void> => {
    try {
      const res = await client.upsert(
        batch.map((p) => p.document),
        { deadlineMs: o.deadlineMs },
      );
      totals.inserted += res.inserted;
      totals.updated += res.updated;
      totals.unchanged += res.unchanged;
      totals.pending += res.pending;
    } catch (err) {
      if (!(isServiceError(err) && err.code === status.INVALID_ARGUMENT)) throw err;
      if (batch.length === 1) {
        rejected.push(`${o.file}:${batch[0].line}: refused by the service: ${err.details}`);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await send(batch.slice(0, half));
      await send(batch.slice(half));
    }
  };

  let batch: Pending[] = [];
  let batchBytes = 0;
  let position = { endOffset: from?.offset ?? 0, nextLine: from?.line ?? 1 };
  let acked = position;
  const flush = async () => {
    if (batch.length === 0) return;
    const prefixSha256 = hash.copy().digest('hex'); // the reader has hashed exactly up to this batch's last record
    try {
      await send(batch);
    } catch (err) {
      progress.finish();
      throw serviceFailure(err, o.address, `${done} of ${total} documents are stored; run the same command again to resume${done > (from?.documents ?? 0) || from ? ` after line ${acked.nextLine - 1}` : ''}`);
    }
    done += batch.length;
    batch = [];
    batchBytes = 0;
    await saveCheckpoint(o.checkpointPath, { version: 1, target, offset: position.endOffset, line: position.nextLine, documents: done, prefixSha256, totals });
    acked = position;
    pollStats();
    progress.update({ done, pendingPassages });
  };

  pollStats();
  for await (const record of readDocuments(o.file, o.format, { tenantId: o.tenantId, locale: o.locale }, { offset: from?.offset ?? 0, line: from?.line ?? 1, hash })) {
    if ('error' in record) {
      progress.finish();
      throw new CliError(EXIT.input, `${o.file}:${record.line}: ${record.error} (the file changed while it was being read)`);
    }
    batch.push({ document: record.document, line: record.line });
    batchBytes += bytesOf(record.document);
    position = record;
    // Only here, before the next record is read, does the running hash end where the batch ends.
    if (batch.length >= o.batchSize || batchBytes >= o.maxBatchBytes) await flush();
    if (io.interrupt?.aborted) break;
  }
  if (io.interrupt?.aborted) {
    progress.finish();
    throw new CliError(EXIT.interrupted, `interrupted: ${done} of ${total} documents are stored; run the same command again to resume after line ${acked.nextLine - 1}`);
  }
  await flush();
  progress.update({ done, pendingPassages });
  progress.finish();
  await removeCheckpoint(o.checkpointPath);

  const seconds = (Date.now() - started) / 1000;
  const thisRun = done - (from?.documents ?? 0);
  say(
    `ingested ${total} documents from ${o.file} into tenant ${JSON.stringify(o.tenantId)}: ${thisRun} sent in ${seconds.toFixed(1)} s` +
      (from ? `, ${from.documents} acknowledged before (resumed)` : ''),
  );
  say(`  inserted ${totals.inserted} · updated ${totals.updated} · unchanged ${totals.unchanged} (not embedded again) · pending ${totals.pending} (embedded later)`);
  if (rejected.length > 0) {
    for (const r of rejected.slice(0, MAX_REPORTED)) warn(r);
    if (rejected.length > MAX_REPORTED) warn(`… and ${rejected.length - MAX_REPORTED} more`);
    throw new CliError(EXIT.input, `the service refused ${rejected.length} document${rejected.length === 1 ? '' : 's'}; every other document is stored`);
  }
  return EXIT.ok;
}
