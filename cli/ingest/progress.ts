/** Where progress goes: stderr, so stdout stays the summary. */
export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressState {
  /** Documents acknowledged by the service, this run and resumed ones together. */
  done: number;
  /** Passages of the tenant waiting for the embedder (Stats), when known. */
  pendingPassages?: number;
}

export interface ProgressOptions {
  /** Documents in the file. */
  total: number;
  /** Documents acknowledged before this run (resumed from a checkpoint). */
  resumed: number;
  /** Without a terminal: one line this often. */
  everyMs: number;
  now?: () => number;
}

const number = (n: number) => n.toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The progress line: documents done of the total, rate of this run, the
 * tenant's pending embeddings and the time left at this rate. On a terminal
 * one line redrawn in place (at most 10 times a second); elsewhere (CI, a log
 * file) a plain line every `everyMs`.
 */
export class Progress {
  private readonly now: () => number;
  private readonly started: number;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private last: ProgressState = { done: 0 };

  constructor(
    private readonly out: ProgressSink,
    private readonly o: ProgressOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
    this.last = { done: o.resumed };
  }

  line(state: ProgressState = this.last): string {
    const elapsed = (this.now() - this.started) / 1000;
    const thisRun = state.done - this.o.resumed;
    const rate = elapsed > 0 ? thisRun / elapsed : 0;
    const left = this.o.total - state.done;
    const percent = this.o.total > 0 ? ((100 * state.done) / this.o.total).toFixed(1) : '100.0';
    return [
      `${number(state.done)}/${number(this.o.total)} documents (${percent}%)`,
      `${rate.toFixed(1)} docs/s`,
      `pending embeddings ${state.pendingPassages === undefined ? '?' : number(state.pendingPassages)}`,
      `ETA ${left === 0 ? '0s' : rate > 0 ? formatDuration(left / rate) : '?'}`,
    ].join(' · ');
  }

  update(state: ProgressState): void {
    this.last = { ...this.last, ...state };
    const now = this.now();
    const every = this.out.isTTY ? 100 : this.o.everyMs;
    if (now - this.lastWrite < every) return;
    this.lastWrite = now;
    this.draw();
  }

  /** The last state, once more, and the line ended. */
  finish(): void {
    this.draw();
    if (this.out.isTTY) this.out.write('\n');
  }

  private draw(): void {
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      this.out.write(`\r\x1b[2K${this.line().slice(0, width)}`);
    } else {
      this.out.write(`${this.line()}\n`);
    }
  }
}
