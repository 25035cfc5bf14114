import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PolysearchSearchClient } from '../shared/client/index.js';
import { clientOptions, CONNECTION_OPTIONS, type ConnectionValues } from './connection.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { defaultCheckpointPath } from './ingest/checkpoint.js';
import { formatOf, type Format } from './ingest/document-stream.js';
import { ingest } from './ingest/ingest-command.js';
import type { ProgressSink } from './ingest/progress.js';
import { MODES, search } from './search-command.js';
import { serviceFailure } from './service-errors.js';
import { stats } from './stats-command.js';
import { USAGE } from './usage.js';

export interface CliIo {
  stdout: ProgressSink;
  stderr: ProgressSink;
  env: NodeJS.ProcessEnv;
  interrupt?: AbortSignal;
}

const usage = (message: string) => new CliError(EXIT.usage, `${message}\nRun polysearch --help for usage.`);

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, ...CONNECTION_OPTIONS, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message);
  }
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw usage(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw usage(`--${name} is required`);
  return value;
}

function connect(values: ConnectionValues, env: NodeJS.ProcessEnv, defaultDeadlineMs: number) {
  const deadlineMs = integer(values['deadline-ms'], 'deadline-ms', defaultDeadlineMs, 1, 3_600_000);
  try {
    const options = clientOptions(values, env, deadlineMs);
    return { client: new PolysearchSearchClient(options), address: options.address };
  } catch (err) {
    throw usage((err as Error).message);
  }
}

async function run(argv: string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  switch (command) {
    case 'ingest': {
      const { values, positionals } = parse(rest, {
        tenant: { type: 'string' },
        locale: { type: 'string' },
        batch: { type: 'string' },
        format: { type: 'string' },
        checkpoint: { type: 'string' },
        restart: { type: 'boolean' },
        'progress-every': { type: 'string' },
        'max-batch-bytes': { type: 'string' },
      });
      if (values.help) return (io.stdout.write(USAGE), EXIT.ok);
      if (positionals.length !== 1) throw usage('ingest takes one FILE');
      const file = positionals[0];
      const format = (values.format ?? formatOf(file)) as Format | undefined;
      if (format !== 'jsonl' && format !== 'csv') throw usage(`cannot tell the format of ${file}: name it .jsonl or .csv, or pass --format jsonl|csv`);
      const tenantId = required(values.tenant, 'tenant');
      const { client, address } = connect(values, io.env, 60_000);
      try {
        return await ingest(
          client,
          {
            file,
            format,
            tenantId,
            locale: values.locale ?? '',
            batchSize: integer(values.batch, 'batch', 32, 1, 1_000),
            maxBatchBytes: integer(values['max-batch-bytes'], 'max-batch-bytes', 8 * 1024 * 1024, 1, 60 * 1024 * 1024),
            checkpointPath: values.checkpoint ?? defaultCheckpointPath(file),
            restart: values.restart === true,
            deadlineMs: integer(values['deadline-ms'], 'deadline-ms', 60_000, 1, 3_600_000),
            progressEveryMs: 1000 * integer(values['progress-every'], 'progress-every', 10, 1, 3_600),
            address,
          },
          io,
        );
      } finally {
        client.close();
      }
    }
    case 'search': {
      const { values, positionals } = parse(rest, {
        tenant: { type: 'string' },
        mode: { type: 'string' },
        locale: { type: 'string' },
        limit: { type: 'string' },
        'page-token': { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return (io.stdout.write(USAGE), EXIT.ok);
      if (positionals.length !== 1 || positionals[0].trim() === '') throw usage('search takes one "QUERY" (quote it)');
      const mode = MODES[values.mode ?? 'hybrid'];
      if (mode === undefined) throw usage(`--mode is hybrid, semantic or keyword, not ${JSON.stringify(values.mode)}`);
      const tenantId = required(values.tenant, 'tenant');
      const { client, address } = connect(values, io.env, 10_000);
      try {
        await search(
          client,
          {
            tenantId,
            query: positionals[0],
            mode,
            locale: values.locale ?? '',
            limit: integer(values.limit, 'limit', 10, 1, 100),
            pageToken: values['page-token'] ?? '',
            json: values.json === true,
            width: io.stdout.isTTY ? (io.stdout.columns ?? 100) : 120,
          },
          io.stdout,
        );
        return EXIT.ok;
      } catch (err) {
        throw serviceFailure(err, address);
      } finally {
        client.close();
      }
    }
    case 'stats': {
      const { values, positionals } = parse(rest, { tenant: { type: 'string' }, json: { type: 'boolean' } });
      if (values.help) return (io.stdout.write(USAGE), EXIT.ok);
      if (positionals.length > 0) throw usage('stats takes no arguments (use --tenant T for one tenant)');
      const { client, address } = connect(values, io.env, 10_000);
      try {
        await stats(client, { tenantId: values.tenant ?? '', json: values.json === true }, io.stdout);
        return EXIT.ok;
      } catch (err) {
        throw serviceFailure(err, address);
      } finally {
        client.close();
      }
    }
    default:
      throw usage(`unknown command ${JSON.stringify(command)}: use ingest, search or stats`);
  }
}

/** Runs one command line; never throws: the exit code and stderr say what happened. */
export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  try {
    return await run(argv, io);
  } catch (err) {
    const failure = err instanceof CliError ? err : serviceFailure(err, '?');
    io.stderr.write(`polysearch: ${failure.message}\n`);
    return failure.exitCode;
  }
}
