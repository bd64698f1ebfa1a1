import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const adminUrl = () => inject('pgAdminUrl');
export const pgPassword = () => inject('pgPassword');

export function urlFor(database: string): string {
  return adminUrl().replace(/\/postgres$/, `/${database}`);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database for one test (or one file); dropped by the returned cleanup. */
export async function freshDatabase(prefix = 't'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A connection to run SQL in a test, closed with .end(). */
export async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = await client(url);
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
