/**
 * What a failed command prints and its exit code: 1 when the API (or the command) refused,
 * 2 for a usage error, as shells and most CLIs do. An API error is printed as the API worded it,
 * with its code and the request id the server's logs know it by; never with a credential.
 */
import { APIConnectionError, APIError, AuthenticationError } from "@voltasis/sdk";
import { CommanderError } from "commander";

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI itself words: not logged in, a job that failed, a file it cannot read. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    /** A next step for the reader, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Options that cannot go together, or a value the CLI can refuse before asking the API. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface ErrorReport {
  exitCode: number;
  lines: string[];
  /** Not an answer of the API nor a refusal of the CLI: a bug, worth its stack with --verbose. */
  unexpected?: boolean;
}

const LOGIN_HINT = "Run `voltasis login` to sign in again.";

export function describeError(error: unknown, context: { baseURL?: string | undefined }): ErrorReport {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; only --help and --version end well.
    return { exitCode: error.exitCode === 0 ? 0 : EXIT_USAGE, lines: [] };
  }
  if (error instanceof UsageError) {
    return { exitCode: EXIT_USAGE, lines: [`error: ${error.message}`] };
  }
  if (error instanceof APIConnectionError) {
    const where = context.baseURL ? ` to ${context.baseURL}` : "";
    return {
      exitCode: EXIT_FAILURE,
      lines: [
        `Error: ${error.message}${where} (${error.code})`,
        "Is the server running? Set its address with --base-url or VOLTASIS_BASE_URL.",
      ],
    };
  }
  if (error instanceof APIError) {
    const about = [error.code, error.requestId].filter(Boolean).join(", ");
    const lines = [`Error: ${error.message} (${about})`];
    if (error instanceof AuthenticationError) lines.push(LOGIN_HINT);
    return { exitCode: EXIT_FAILURE, lines };
  }
  if (error instanceof CliError) {
    return {
      exitCode: EXIT_FAILURE,
      lines: [`Error: ${error.message}`, ...(error.hint ? [error.hint] : [])],
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT_FAILURE, lines: [`Error: ${message}`], unexpected: true };
}
