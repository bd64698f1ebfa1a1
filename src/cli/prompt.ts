import readline from 'node:readline/promises';
import type { Ask } from '../operations/confirm.js';

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

/** For irreversible actions on a live database: the DBA types the database name. */
export async function confirmByTyping(question: string, expected: string): Promise<boolean> {
  const answer = await ask(`${question}\nType the database name (${expected}) to confirm: `);
  return answer.trim() === expected;
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
