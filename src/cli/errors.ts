import { redactError } from '../operations/secrets.js';
import { UserError, describeFailure, type ErrorKind } from '../errors.js';

export { UserError };

/** The documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  connect: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const EXIT_CODE_OF_KIND: Record<ErrorKind, ExitCodeValue> = {
  'bad-input': ExitCode.usage,
  refused: ExitCode.failed,
  failed: ExitCode.failed,
  connection: ExitCode.connect,
  interrupted: ExitCode.interrupted,
};

function exitCodeOf(kind: ErrorKind): ExitCodeValue {
  return EXIT_CODE_OF_KIND[kind];
}

export function usageError(message: string): UserError {
  return new UserError(message, 'bad-input');
}

/** What the CLI prints for a failure, and its exit code: the one line, plus --debug advice for the unexpected. */
export function describeError(err: unknown, debug = false): { message: string; exitCode: number } {
  const d = describeFailure(err);
  const stack = debug ? (err as Error)?.stack : undefined;
  let message: string;
  if (d.unexpected) message = stack ?? `Unexpected error: ${d.message} (run again with --debug for details).`;
  else {
    message = debug && d.detail ? `${d.message}\n${d.detail}` : d.message;
    if (d.generic && !debug) message = `${message.slice(0, -1)}, or run again with --debug for details.`;
    if (stack) message = `${message}\n${stack}`;
  }
  return { message: redactError(message), exitCode: exitCodeOf(d.kind) };
}
