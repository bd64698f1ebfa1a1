import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { lockOf } from '../../src/analysis/locks.js';
import { strongestLock } from '../../src/operations/runBriefing.js';
import type { PlannedMigration } from '../../src/analysis/plan.js';

/** A migration as plan would describe it on a target where "User" holds 4 MB. */
async function planned(sql: string): Promise<PlannedMigration> {
  const statements = (await splitStatements(sql)).map((s) => {
    const l = lockOf(s);
    return {
      line: s.line,
      kind: s.kind,
      lock: l.lock,
      relation: l.relation,
      alsoLocks: l.others,
      rewrites: l.rewrites,
      scans: l.scans,
      transactional: true,
      relationBytes: l.relation === '"User"' || l.relation === 'User' ? 4 * 1024 * 1024 : null,
      estimatedRows: null,
      sql: s.sql,
    };
  });
  return { name: '1_a', state: 'pending', atomic: true, statements };
}

describe("the run question's strongest lock (issue 26, words)", () => {
  it('a DO block that writes a table is "unknown", never "no table lock"', async () => {
    const m = await planned(`DO $$ BEGIN INSERT INTO "User" (id) VALUES (1); END $$;`);
    expect(strongestLock(m)).toBe('unknown: a DO block, whose locks are not known');
  });

  it('a DO block beside a known lock names both', async () => {
    const m = await planned(`ALTER TABLE "User" ADD COLUMN x int;\nDO $$ BEGIN PERFORM 1; END $$;`);
    expect(strongestLock(m)).toMatch(/^ACCESS EXCLUSIVE on .*User.*, and a DO block, whose locks are not known$/);
  });

  it('plain statements without a table lock still say so', async () => {
    expect(strongestLock(await planned('SELECT 1;'))).toBe('no table lock');
  });
});
