// The key table says which operation confirms a key; how it is confirmed is that operation's
// question (issue 27). The help's promise and the operations' questions must agree, on LIVE and off.
import { describe, expect, it } from 'vitest';
import { askShape, helpLines, KEYS } from '../../src/tui/keys.js';
import { confirmOf } from '../../src/tui/dialog.js';
import { runQuestion } from '../../src/operations/run.js';
import { rollbackQuestion } from '../../src/operations/rollback.js';
import type { Workspace, WorkspaceMode } from '../../src/operations/workspace.js';
import type { Question } from '../../src/operations/confirm.js';

const ws = (mode: WorkspaceMode) =>
  ({ mode, target: () => ({ display: 'shop@db1', database: 'shop' }) }) as unknown as Workspace;

/** The operations' real questions for the keys that have a function building them. */
const QUESTIONS: Record<string, (mode: WorkspaceMode) => Question> = {
  r: (mode) => runQuestion(ws(mode), [{ name: '1_a' }]),
  R: (mode) => runQuestion(ws(mode), [{ name: '1_a' }, { name: '2_b' }]),
  b: (mode) =>
    rollbackQuestion(
      ws(mode),
      { name: '1_a', state: 'applied', kind: 'down-sql', downSql: 'DROP TABLE a;', laterApplied: [], rows: [] },
      true,
    ),
};

describe("the key table's confirmations are the operations' questions", () => {
  it('the help says which keys need the database name typed on LIVE, skip among them', () => {
    const last = helpLines(true).at(-1);
    expect(last).toBe(
      '! asks first, default Cancel; b and K need y; s a reason typed; on a LIVE database r, R, s, b and K need the database name typed.',
    );
  });

  it('a key is dangerous exactly when an operation asks for it', () => {
    expect(KEYS.filter((b) => b.dangerous).map((b) => b.label)).toEqual(KEYS.filter((b) => b.asks).map((b) => b.label));
  });

  for (const [label, question] of Object.entries(QUESTIONS)) {
    it(`${label}: the dialog the operation's question opens is the one the table promises`, () => {
      const shape = askShape(KEYS.find((b) => b.label === label)!)!;
      expect(confirmOf(question('live')).kind).toBe(shape.irreversible ? 'type' : 'button');
      expect(confirmOf(question('demo')).kind).toBe(shape.deliberate ? 'y' : 'button');
    });
  }
});
