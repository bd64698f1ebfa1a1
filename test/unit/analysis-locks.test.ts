import { describe, it, expect } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { lockOf } from '../../src/analysis/locks.js';

const one = async (sql: string) => lockOf((await splitStatements(sql))[0]!);

describe('lock level per statement', () => {
  it.each([
    ['CREATE INDEX i ON orders (a)', { lock: 'SHARE', relation: 'orders', scans: true, rewrites: false }],
    ['CREATE INDEX CONCURRENTLY i ON orders (a)', { lock: 'SHARE UPDATE EXCLUSIVE', relation: 'orders', scans: true }],
    [
      'ALTER TABLE users ADD COLUMN c text',
      { lock: 'ACCESS EXCLUSIVE', relation: 'users', rewrites: false, scans: false },
    ],
    ['ALTER TABLE users ADD COLUMN c timestamptz DEFAULT now()', { lock: 'ACCESS EXCLUSIVE', rewrites: false }],
    ['ALTER TABLE users ADD COLUMN c uuid DEFAULT gen_random_uuid()', { lock: 'ACCESS EXCLUSIVE', rewrites: true }],
    // stable, not volatile (pg_proc.provolatile = 's'): read once, kept in the catalog
    [
      'ALTER TABLE users ADD COLUMN c timestamptz DEFAULT statement_timestamp()',
      { lock: 'ACCESS EXCLUSIVE', rewrites: false },
    ],
    [
      'ALTER TABLE users ADD COLUMN c timestamptz NOT NULL DEFAULT clock_timestamp()',
      { lock: 'ACCESS EXCLUSIVE', rewrites: true },
    ],
    ['ALTER TABLE users ADD COLUMN c bigserial', { rewrites: true }],
    ['ALTER TABLE users ALTER COLUMN c TYPE bigint', { lock: 'ACCESS EXCLUSIVE', rewrites: true }],
    ['ALTER TABLE users ALTER COLUMN c SET NOT NULL', { lock: 'ACCESS EXCLUSIVE', scans: true, rewrites: false }],
    ['ALTER TABLE users SET LOGGED', { rewrites: true }],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0)', { lock: 'ACCESS EXCLUSIVE', scans: true }],
    ['ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID', { lock: 'ACCESS EXCLUSIVE', scans: false }],
    ['ALTER TABLE users VALIDATE CONSTRAINT c', { lock: 'SHARE UPDATE EXCLUSIVE', scans: true }],
    ['ALTER TABLE users RENAME COLUMN a TO b', { lock: 'ACCESS EXCLUSIVE', relation: 'users' }],
    ['ALTER TABLE users RENAME TO people', { lock: 'ACCESS EXCLUSIVE', relation: 'users' }],
    ['DROP TABLE users', { lock: 'ACCESS EXCLUSIVE', relation: 'users' }],
    ['DROP INDEX CONCURRENTLY i', { lock: 'SHARE UPDATE EXCLUSIVE' }],
    ['UPDATE users SET a = 1', { lock: 'ROW EXCLUSIVE', relation: 'users' }],
    ['INSERT INTO users (a) VALUES (1)', { lock: 'ROW EXCLUSIVE', relation: 'users', scans: false }],
    ['VACUUM FULL users', { lock: 'ACCESS EXCLUSIVE', rewrites: true }],
    ['CREATE TYPE "R" AS ENUM (\'A\')', { lock: null, relation: null }],
  ])('%s', async (sql, expected) => {
    expect(await one(sql)).toMatchObject(expected);
  });

  it('a foreign key takes SHARE ROW EXCLUSIVE on both tables and scans the child unless NOT VALID', async () => {
    const fk = await one('ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id)');
    expect(fk).toMatchObject({
      lock: 'SHARE ROW EXCLUSIVE',
      relation: 'orders',
      scans: true,
      others: [{ relation: 'users', lock: 'SHARE ROW EXCLUSIVE' }],
    });
    expect(
      await one('ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id) NOT VALID'),
    ).toMatchObject({ scans: false });
  });

  it('the strongest sub-command decides for a multi-command ALTER TABLE', async () => {
    expect(
      await one(
        'ALTER TABLE t SET STATISTICS 100, ALTER COLUMN a TYPE text'.replace(
          'SET STATISTICS 100',
          'ALTER COLUMN b SET STATISTICS 100',
        ),
      ),
    ).toMatchObject({ lock: 'ACCESS EXCLUSIVE', rewrites: true });
  });
});
