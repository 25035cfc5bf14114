/**
 * The CLI's exit codes (README "CLI"). Scripts branch on these, so they only
 * ever gain members.
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** A bug in the CLI: please report it. */
  internal: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** The input file cannot be read, or has invalid lines (each reported as FILE:LINE: why). */
  input: 3,
  /** The service is unreachable or overloaded after retries; nothing acknowledged is lost: rerun to resume. */
  unavailable: 4,
  /** The service refused for another reason (its message says why: TLS, permissions, a server error). */
  refused: 5,
  /** Interrupted (Ctrl-C) after saving the checkpoint: rerun to resume. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with a given code and a one-line message. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
