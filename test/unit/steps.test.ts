import { describe, it, expect } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { planSteps } from '../../src/engine/steps.js';
import { prepare } from '../../src/engine/prepare.js';

const shape = async (sql: string) =>
  planSteps(await splitStatements(sql), { batching: true }).map((s) => s.statements.map((x) => x.line));

describe('steps: what is sent together and what runs alone', () => {
  it('batches creations and work on tables this migration created', async () => {
    expect(
      await shape(
        "CREATE TYPE s AS ENUM ('a');\nCREATE TABLE t (id int);\nCREATE INDEX t_i ON t (id);\nINSERT INTO t VALUES (1);\nALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES t (id);",
      ),
    ).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('runs statements on existing tables alone: index builds, updates, rewrites', async () => {
    expect(
      await shape(
        'CREATE TABLE n (id int);\nCREATE INDEX users_e ON users (email);\nUPDATE users SET x = 1;\nALTER TABLE users ADD COLUMN c timestamptz DEFAULT now();\nCREATE TABLE m (id int);',
      ),
    ).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('batches a nullable or constant-default ADD COLUMN on an existing table (no rewrite)', async () => {
    expect(
      await shape(
        'ALTER TABLE users ADD COLUMN a text, ADD COLUMN b boolean NOT NULL DEFAULT false;\nALTER TABLE users ADD COLUMN d int DEFAULT 5::int;',
      ),
    ).toEqual([[1, 2]]);
  });

  it('never batches CONCURRENTLY or VACUUM', async () => {
    expect(await shape('CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_i ON t (id);\nVACUUM t;')).toEqual([
      [1],
      [2],
      [3],
    ]);
    const steps = planSteps(await splitStatements('CREATE INDEX CONCURRENTLY i ON t (id);'), { batching: true });
    expect(steps[0]!.autocommit).toBe(true);
  });

  it("runs an author's own BEGIN/COMMIT as written: one statement at a time, no transaction of ours, not atomic", async () => {
    const sql = 'BEGIN;\nCREATE TABLE t (id int);\nCREATE TABLE u (id int);\nCOMMIT;\nCREATE TABLE v (id int);';
    const bytes = Buffer.from(sql);
    const p = await prepare(
      { name: '1_own', dir: '/nowhere/1_own', sqlPath: '/nowhere/1_own/migration.sql', bytes, sql, checksum: 'x' },
      true,
    );
    expect(p.ownTransactions).toBe(true);
    expect(p.atomic).toBe(false);
    // The creations that would be batched elsewhere each go alone, so a failure is found in its own transaction's place.
    expect(p.steps.map((s) => s.statements.map((x) => x.line))).toEqual([[1], [2], [3], [4], [5]]);
  });
});
