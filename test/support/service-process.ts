import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT_DIR } from '../../shared/paths.js';

export interface ServiceProcess {
  proc: ChildProcess;
  /** Parsed fields of the "listening" log line (grpcPort, httpPort, …). */
  listening: Record<string, unknown>;
  /** Every JSON log line seen so far (for privacy assertions). */
  logs: string[];
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts a service as a real process (node --import tsx), on loopback ports
 * chosen by the OS, and resolves once it logs that it is listening.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  listeningMessage: string,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT_DIR, entry)], {
    cwd: ROOT_DIR,
    env: { ...process.env, VITEST: '', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Nobody will stop a process whose start failed: do it here, or it outlives the test run.
      proc.kill('SIGKILL');
      reject(new Error(`${entry} did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      logs.push(line);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === listeningMessage) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not a JSON log line (e.g. a stack trace on stderr)
      }
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    proc,
    listening,
    logs,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      // A test may have left it SIGSTOPped; a stopped process never handles SIGTERM.
      proc.kill('SIGCONT');
      proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** Polls until fn resolves truthy, or throws after timeoutMs. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch {
      // keep polling
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function httpStatus(port: number, path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.text();
  return res.status;
}
