import readline from 'node:readline/promises';
import type { Answer, Ask, Question } from '../operations/confirm.js';
import { UserError } from './errors.js';
import { isTTY } from './output.js';

/** Asks on the terminal; anything but an explicit yes is a no (the safe default). */
export async function confirm(question: string): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

export async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at a question is a no, never a hang: the terminal's ^C reaches readline, not a signal handler.
  const stop = new AbortController();
  rl.on('SIGINT', () => stop.abort());
  try {
    return await rl.question(question, { signal: stop.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') {
      process.stderr.write('\n');
      return '';
    }
    throw err;
  } finally {
    rl.close();
  }
}

/**
 * An operation's question on the terminal (stderr, so that --json stays one document on stdout):
 * its lines, then y/N, the database name typed, or a reason, as the question's kind says.
 */
export const terminalAsk: Ask = async (q) => {
  process.stderr.write(`${[q.title, ...q.lines].join('\n')}\n`);
  switch (q.kind) {
    case 'type-database-name':
      return { confirmed: (await ask(`Type the database name (${q.expected}) to ${q.verb}: `)).trim() === q.expected };
    case 'reason': {
      const text = (await ask('Reason (kept in the journal): ')).trim();
      return { confirmed: text.length > 0, text };
    }
    default:
      return { confirmed: await confirm(`${q.verb[0]!.toUpperCase()}${q.verb.slice(1)}?`) };
  }
};

/** A terminal to ask on: both ends, since the answer is typed and the question read. */
export const hasTerminal = isTTY;

/**
 * The CLI's one way to confirm an operation's question: nothing to confirm, or --yes (when the
 * question's `ahead` rule lets the flags confirm it); else the question on the terminal; else a
 * refusal with the documented exit code (2, or 1 where the question says it is refused outright).
 * `what` names the action in the refusal ("apply migrations").
 */
export async function confirmOnTerminal(
  question: Question | null,
  given: { yes?: boolean; what: string },
): Promise<Answer> {
  if (!question) return { confirmed: true };
  const ahead = question.ahead;
  const yes = Boolean(given.yes);
  if (yes && (ahead?.confirms ?? true)) return { confirmed: true };
  if (hasTerminal() && !(yes && ahead && !ahead.askEvenWithYes)) return terminalAsk(question);
  throw ahead ? new UserError(ahead.refusal, ahead.refusalKind) : refusal(given.what);
}

const refusal = (what: string) =>
  new UserError(
    `Refusing to ${what} without confirmation: there is no terminal to ask on, so pass --yes to confirm.`,
    'bad-input',
  );

/**
 * The same rule as an `Ask` for the operations that ask as they go: null when --yes confirmed
 * already, the terminal's questions on a TTY, a refusal without one.
 */
export function terminalPolicy(given: { yes?: boolean; what: string }): Ask | null {
  if (given.yes) return null;
  if (!hasTerminal()) throw refusal(given.what);
  return terminalAsk;
}
