// Databases over two real servers for the fleet tests: the suite's (A) and one started here (B).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { adminUrl, pgPassword, query } from '../helpers/db.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';

export const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

export interface Servers {
  b: Sandbox;
  /** postgresql://postgres@127.0.0.1:PORT/DB (no password: PGPASSWORD carries it). */
  url(server: 'a' | 'b', db: string): string;
  stop(): Promise<void>;
}

export async function startSecondServer(): Promise<Servers> {
  const b = await startSandbox();
  await query(b.url('postgres'), `ALTER ROLE postgres PASSWORD '${pgPassword()}'`);
  const portA = Number(new URL(adminUrl()).port);
  return {
    b,
    url: (server, db) => `postgresql://postgres@127.0.0.1:${server === 'a' ? portA : b.port}/${db}`,
    stop: () => b.stop(),
  };
}

/** The admin URL (password included) of a database on a server, for the test's own queries. */
export function adminOn(s: Servers, server: 'a' | 'b', db: string): string {
  const u = new URL(s.url(server, db));
  u.password = pgPassword();
  u.username = 'postgres';
  return u.toString();
}

/** `count` fresh databases per server, named prefix_a_1…; returns their names by server. */
export async function makeDatabases(s: Servers, prefix: string, count: number, servers: ('a' | 'b')[] = ['a', 'b']) {
  const made: { server: 'a' | 'b'; db: string; name: string }[] = [];
  const tag = randomBytes(2).toString('hex');
  for (let i = 1; i <= count; i++)
    for (const server of servers) {
      const db = `${prefix}_${tag}_${server}_${i}`;
      await query(adminOn(s, server, 'postgres'), `CREATE DATABASE ${db}`);
      made.push({ server, db, name: `${server}${i}` });
    }
  return made;
}

export async function dropDatabases(s: Servers, made: { server: 'a' | 'b'; db: string }[]) {
  for (const m of made)
    await query(adminOn(s, m.server, 'postgres'), `DROP DATABASE IF EXISTS ${m.db} WITH (FORCE)`).catch(
      () => undefined,
    );
}

export function targetsFile(lines: string[]): string {
  const file = path.join(tmp('cm-fleet-targets-'), 'targets.txt');
  writeFileSync(file, `# the fleet's databases\n${lines.join('\n')}\n`);
  return file;
}

/** The finished, not rolled back migrations of a database (empty when it has no history). */
export async function appliedOn(url: string): Promise<string[]> {
  const exists = await query<{ t: string | null }>(url, `SELECT to_regclass('_prisma_migrations')::text AS t`);
  if (!exists[0]?.t) return [];
  return (
    await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1',
    )
  ).map((r) => r.migration_name);
}

/** The suite's server only, in the shape of Servers (for the tests that need one server). */
export function serverA(): Servers {
  const portA = Number(new URL(adminUrl()).port);
  return {
    b: undefined as unknown as Sandbox,
    url: (_server, db) => `postgresql://postgres@127.0.0.1:${portA}/${db}`,
    stop: async () => undefined,
  };
}
