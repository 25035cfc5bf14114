import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../shared/paths.js';

/** Where scripts/ci/install-schemathesis.sh puts the tool (SCHEMATHESIS overrides it). */
export const SCHEMATHESIS_BIN = process.env.SCHEMATHESIS ?? join(ROOT_DIR, '.cache', 'schemathesis', 'venv', 'bin', 'schemathesis');

export function schemathesisInstalled(): boolean {
  return existsSync(SCHEMATHESIS_BIN);
}

export interface SchemathesisRun {
  /** The OpenAPI document (absolute path). */
  document: string;
  /** Base URL of the API under test. */
  url: string;
  /** Test cases per operation and phase: bounds the run's time. */
  maxExamples: number;
  seed?: string;
  /** Where reports and schemathesis' example database go. */
  workDir: string;
}

/**
 * Every check but positive_data_acceptance: the document states types and
 * fields, while the values a core accepts (a non-blank query, at most 100
 * documents, known page tokens) are the core's to judge, for gRPC and HTTP
 * alike — so a schema-valid request may rightly get 400. Everything else must
 * hold: no 5xx (not_a_server_error), responses, statuses, content types and
 * headers as documented, schema-invalid requests refused, 405 for methods the
 * document does not list.
 */
export function schemathesisArgs(run: SchemathesisRun): string[] {
  return [
    '--no-color',
    'run',
    run.document,
    '--url',
    run.url,
    '--checks',
    'all',
    '--exclude-checks',
    'positive_data_acceptance',
    '--max-examples',
    String(run.maxExamples),
    '--request-timeout',
    '30',
    '--workers',
    '1',
    '--report',
    'junit',
    '--report-junit-path',
    join(run.workDir, 'junit.xml'),
    ...(run.seed ? ['--seed', run.seed] : []),
  ];
}

/** Runs schemathesis, streaming its output through, and resolves with its exit code and output. */
export function runSchemathesis(run: SchemathesisRun, options: { echo?: boolean } = {}): Promise<{ code: number; output: string }> {
  mkdirSync(run.workDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS_BIN, schemathesisArgs(run), { cwd: run.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (options.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}
