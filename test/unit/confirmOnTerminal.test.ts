// Issue 27: the CLI confirms every operation's question one way (cli/prompt.ts). Here the paths a
// script takes, without a terminal (vitest's stdin is not one); the questions asked on a terminal
// are in test/integration/confirmations.test.ts and restore-trust.test.ts, on a pty.
import { describe, expect, it } from 'vitest';
import { confirmOnTerminal, hasTerminal, terminalPolicy } from '../../src/cli/prompt.js';
import { describeError } from '../../src/cli/errors.js';
import type { Question } from '../../src/operations/confirm.js';

const plain: Question = { title: 'Apply these fixes to /m?', lines: [], kind: 'y', verb: 'apply them' };
const restore: Question = {
  title: 'This will drop shop and restore it from shop.dump.',
  lines: [],
  kind: 'type-database-name',
  expected: 'shop',
  verb: 'confirm',
  ahead: {
    confirms: false,
    askEvenWithYes: true,
    refusal: 'Refusing to restore shop from a dump the journal does not know: pass --foreign-dump with --yes.',
    refusalKind: 'refused',
  },
};

async function refusal(p: Promise<unknown>): Promise<{ message: string; exitCode: number }> {
  try {
    await p;
  } catch (err) {
    return describeError(err);
  }
  throw new Error('confirmed where it should have refused');
}

describe('confirmOnTerminal without a terminal', () => {
  it('runs here without one', () => {
    expect(hasTerminal()).toBe(false);
  });

  it('a question that needs no confirmation, and --yes, go through', async () => {
    expect(await confirmOnTerminal(null, { what: 'check' })).toEqual({ confirmed: true });
    expect(await confirmOnTerminal(plain, { yes: true, what: 'change the migration files' })).toEqual({
      confirmed: true,
    });
  });

  it('without --yes: refused with exit code 2 and a sentence naming --yes', async () => {
    const r = await refusal(confirmOnTerminal(plain, { what: 'change the migration files' }));
    expect(r).toEqual({
      message:
        'Refusing to change the migration files without confirmation: there is no terminal to ask on, so pass --yes to confirm.',
      exitCode: 2,
    });
    expect(() => terminalPolicy({ what: 'apply migrations' })).toThrow(/Refusing to apply migrations/);
    expect(terminalPolicy({ yes: true, what: 'apply migrations' })).toBeNull();
  });

  it("--yes is not enough where the question's ahead rule wants more: its own refusal and exit code", async () => {
    expect(await refusal(confirmOnTerminal(restore, { yes: true, what: 'restore shop' }))).toEqual({
      message: restore.ahead!.refusal,
      exitCode: 1,
    });
    const named = { ...restore, ahead: { ...restore.ahead!, confirms: true } };
    expect(await confirmOnTerminal(named, { yes: true, what: 'restore shop' })).toEqual({ confirmed: true });
    expect((await refusal(confirmOnTerminal(named, { what: 'restore shop' }))).exitCode).toBe(1);
  });
});
