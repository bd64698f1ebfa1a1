import { describe, it, expect } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { planSteps } from '../../src/engine/steps.js';

const shape = async (sql: string) => planSteps(await splitStatements(sql), { batching: true }).map((s) => s.statements.map((x) => x.line));

describe('steps: what is sent together and what runs alone', () => {
  it('batches creations and work on tables this migration created', async () => {
    expect(await shape('CREATE TYPE s AS ENUM (\'a\');\nCREATE TABLE t (id int);\nCREATE INDEX t_i ON t (id);\nINSERT INTO t VALUES (1);\nALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES t (id);')).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('runs statements on existing tables alone: index builds, updates, rewrites', async () => {
    expect(await shape('CREATE TABLE n (id int);\nCREATE INDEX users_e ON users (email);\nUPDATE users SET x = 1;\nALTER TABLE users ADD COLUMN c timestamptz DEFAULT now();\nCREATE TABLE m (id int);')).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('batches a nullable or constant-default ADD COLUMN on an existing table (no rewrite)', async () => {
    expect(await shape('ALTER TABLE users ADD COLUMN a text, ADD COLUMN b boolean NOT NULL DEFAULT false;\nALTER TABLE users ADD COLUMN d int DEFAULT 5::int;')).toEqual([[1, 2]]);
  });

  it('never batches CONCURRENTLY, VACUUM or an author\'s own transaction control', async () => {
    expect(await shape('CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_i ON t (id);\nVACUUM t;')).toEqual([[1], [2], [3]]);
    const steps = planSteps(await splitStatements('CREATE INDEX CONCURRENTLY i ON t (id);'), { batching: true });
    expect(steps[0]!.autocommit).toBe(true);
  });
});
