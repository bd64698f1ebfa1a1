import { describe, it, expect } from 'vitest';
import { splitStatements } from '../../src/engine/split.js';
import { analyzeOrder, parseRefs } from '../../src/analysis/runbook.js';
import { proposeRenames, rewriteEdits, applyEdits } from '../../src/analysis/fixes.js';

const parsed = async (name: string, sql: string) => {
  const statements = await splitStatements(sql);
  return { name, statements, refs: parseRefs(statements) };
};
const none = { relations: new Set<string>(), types: new Set<string>() };

describe('identifier rewrite through the parser', () => {
  it('changes only relation references, never types, columns, strings or comments', async () => {
    const sql = [
      '-- "User" in a comment stays',
      'ALTER TABLE "User" ADD COLUMN "User" "UserRole" DEFAULT \'User\';',
      'ALTER TABLE x ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public . "User"(id);',
      'SELECT "User".id FROM "User";',
    ].join('\n');
    const users = await parsed(
      '001',
      'CREATE TYPE "UserRole" AS ENUM (\'A\'); CREATE TABLE users (id text); CREATE TABLE x (u text);',
    );
    const m = await parsed('002', sql);
    const { rewrites } = analyzeOrder([users, m], none);
    expect(rewrites.map((r) => [r.from, r.to, r.uses.map((u) => u.line)])).toEqual([['User', 'users', [2, 3, 4]]]);
    const bytes = Buffer.from(sql);
    const { edits, skipped } = rewriteEdits(bytes, rewrites);
    expect(skipped).toBe(0);
    expect(applyEdits(bytes, edits).toString()).toBe(
      [
        '-- "User" in a comment stays',
        'ALTER TABLE "users" ADD COLUMN "User" "UserRole" DEFAULT \'User\';',
        'ALTER TABLE x ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES public . "users"(id);',
        'SELECT "User".id FROM "users";',
      ].join('\n'),
    );
  });

  it('keeps byte offsets right after multi-byte characters', async () => {
    const sql = 'COMMENT ON TABLE users IS \'café ☕\';\nALTER TABLE "User" ADD COLUMN a int;';
    const m = await parsed('002', sql);
    const { rewrites } = analyzeOrder([m], { relations: new Set(['users']), types: new Set() });
    const bytes = Buffer.from(sql);
    expect(applyEdits(bytes, rewriteEdits(bytes, rewrites).edits).toString()).toContain('ALTER TABLE "users" ADD');
  });
});

describe('folder renames', () => {
  it('moves a migration after the one it depends on, and follows chains', async () => {
    const a = await parsed('001_a', 'CREATE INDEX i ON b_table (x);'); // needs 003
    const b = await parsed('002_b', 'CREATE TABLE c_table (x int); ALTER TABLE c_table ADD COLUMN y int;');
    const c = await parsed('003_c', 'CREATE TABLE b_table (x int);');
    const d = await parsed('002_d', 'CREATE INDEX j ON a_only (x);');
    const e = await parsed('000_e', 'CREATE TABLE a_only (x int); CREATE INDEX k ON b_table (x);'); // needs 003; 002_d needs it
    const { renames, unresolved } = proposeRenames([e, a, b, d, c], none, [
      '000_e',
      '001_a',
      '002_b',
      '002_d',
      '003_c',
    ]);
    expect(unresolved).toEqual([]);
    const to = Object.fromEntries(renames.map((r) => [r.from, r.to]));
    expect(to['001_a']).toBe('003_c_001_a');
    expect(to['000_e']).toBe('003_c_000_e');
    // 002_d needs a_only from 000_e, which now sorts after it
    expect(to['002_d']).toBe('003_c_000_e_002_d');
    const order = ['002_b', '003_c', ...Object.values(to)].sort();
    expect(order).toEqual(['002_b', '003_c', '003_c_000_e', '003_c_000_e_002_d', '003_c_001_a']);
  });

  it('says when no order works (two migrations need each other)', async () => {
    const a = await parsed('001_a', 'CREATE TABLE a (x int); CREATE INDEX i ON b (x);');
    const b = await parsed('002_b', 'CREATE TABLE b (x int); CREATE INDEX j ON a (x);');
    const { unresolved } = proposeRenames([a, b], none, ['001_a', '002_b']);
    expect(unresolved.length).toBeGreaterThan(0);
  });
});
