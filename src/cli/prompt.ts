import readline from 'node:readline/promises';

/** Asks on the terminal; anything but an explicit yes is a no (the safe default). */
export async function confirm(question: string): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

export async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** For irreversible actions on a live database: the DBA types the database name. */
export async function confirmByTyping(question: string, expected: string): Promise<boolean> {
  const answer = await ask(`${question}\nType the database name (${expected}) to confirm: `);
  return answer.trim() === expected;
}
