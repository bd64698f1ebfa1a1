import { redact } from '../postgres/secrets.js';

/** The documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  connect: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the user can act on: one sentence that says what to do, and the exit code.
 * Anything that is not a UserError is a bug and is reported as such (stack only with --debug).
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function usageError(message: string): UserError {
  return new UserError(message, ExitCode.usage);
}

export function describeError(err: unknown, debug = false): { message: string; exitCode: number } {
  if (err instanceof UserError) {
    const message = debug && err.detail ? `${err.message}\n${err.detail}` : err.message;
    return { message: redact(debug && err.stack ? `${message}\n${err.stack}` : message), exitCode: err.exitCode };
  }
  const e = err as Error & { code?: string };
  const text = e?.message ?? String(err);
  // A server error that escaped a command's own handling: still one sentence with what to do.
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const what =
      e.code === '42501'
        ? 'the role lacks a privilege for this: run as the owner of the schema and of _prisma_migrations, or have them GRANT it'
        : e.code.startsWith('08') || e.code.startsWith('57P')
          ? 'the connection to the server was lost: check the server, then run the command again'
          : 'check the message above, or run again with --debug for details';
    const message = `The database refused: ${text} (SQLSTATE ${e.code}); ${what}.`;
    return { message: redact(debug && e.stack ? `${message}\n${e.stack}` : message), exitCode: e.code.startsWith('08') ? ExitCode.connect : ExitCode.failed };
  }
  const message = debug && e?.stack ? e.stack : `Unexpected error: ${text} (run again with --debug for details).`;
  return { message: redact(message), exitCode: ExitCode.failed };
}
