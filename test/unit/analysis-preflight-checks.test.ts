import { describe, it, expect } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { preflightChecks, parenthesizedAt } from '../../src/analysis/preflight-checks.js';
import { implicitName } from '../../src/analysis/implicit.js';

const checksOf = async (sql: string, existing: string[] = ['User', 'Post']) =>
  preflightChecks([{ name: 'm', sql, statements: await splitStatements(sql) }], (n) => existing.includes(n)).map(
    (c) => [c.kind, c.table.name, c.columns.join(','), c.unchecked ?? ''],
  );

describe('preflight: which statements can fail on existing rows', () => {
  it('finds SET NOT NULL, NOT NULL columns without default, unique keys, foreign keys, CHECKs and type changes', async () => {
    expect(
      await checksOf(`ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;
      ALTER TABLE "User" ADD COLUMN "a" INT NOT NULL, ADD COLUMN "b" INT NOT NULL DEFAULT 0, ADD COLUMN "c" SERIAL NOT NULL, ADD COLUMN "d" INT;
      CREATE UNIQUE INDEX "u" ON "User"("email", "tenant");
      CREATE INDEX "plain" ON "User"("email");
      CREATE UNIQUE INDEX "expr" ON "User"(lower("email"));
      ALTER TABLE "Post" ADD CONSTRAINT "fk" FOREIGN KEY ("authorId") REFERENCES "User"("id"), ADD CONSTRAINT "fk2" FOREIGN KEY ("x") REFERENCES "User"("id") NOT VALID;
      ALTER TABLE "Post" ADD CONSTRAINT "ck" CHECK (price > 0);
      ALTER TABLE "Post" ALTER COLUMN "score" TYPE INTEGER USING ("score"::text::integer), ALTER COLUMN "t" TYPE INTEGER USING length("t");`),
    ).toEqual([
      ['not-null', 'User', 'name', ''],
      ['new-not-null-column', 'User', 'a', ''],
      ['unique', 'User', 'email,tenant', ''],
      ['unique', 'User', '', 'a partial or expression index is only checked by a rehearsal with data'],
      ['foreign-key', 'Post', 'authorId', ''],
      ['check', 'Post', '', ''],
      ['type-change', 'Post', 'score', ''],
      ['type-change', 'Post', 't', 'the USING expression is only checked by a rehearsal with data'],
    ]);
  });

  it('skips tables that are not on the target or that the run created or renamed earlier', async () => {
    expect(
      await checksOf(
        `CREATE TABLE "Draft" (id int);
      ALTER TABLE "Draft" ALTER COLUMN "id" SET NOT NULL;
      ALTER TABLE "User" RENAME TO "Member";
      ALTER TABLE "Member" ALTER COLUMN "name" SET NOT NULL;
      ALTER TABLE "Nowhere" ALTER COLUMN "x" SET NOT NULL;
      ALTER TABLE "Post" ADD CONSTRAINT "fk" FOREIGN KEY ("draftId") REFERENCES "Draft"("id");`,
        ['User', 'Post'],
      ),
    ).toEqual([]);
  });

  it('reads a CHECK condition back from the file, whatever its strings and comments hold', () => {
    const sql = `ALTER TABLE t ADD CONSTRAINT "c)" CHECK (note <> ')' /* ) */ AND (a > 0) -- )\n AND b = $$)$$) NOT VALID`;
    expect(parenthesizedAt(sql, sql.indexOf('CONSTRAINT'))).toBe(
      `note <> ')' /* ) */ AND (a > 0) -- )\n AND b = $$)$$`,
    );
  });

  it('names implicit objects as PostgreSQL does, cutting the longer part to fit 63 bytes', () => {
    expect(implicitName('User', 'id', 'seq')).toBe('User_id_seq');
    expect(implicitName('OrganizationMembershipInvitationReminderScheduleEntries', 'identifier', 'seq')).toBe(
      'OrganizationMembershipInvitationReminderSchedule_identifier_seq',
    );
    expect(implicitName('t', 'a_very_long_column_name_that_goes_on_and_on_and_on_and_on_forever', 'key')).toBe(
      't_a_very_long_column_name_that_goes_on_and_on_and_on_and_on_key',
    );
  });
});
