import { describe, it, expect } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client, freshDatabase, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';

/** Rows of one table in a custom-format dump, read back by pg_restore itself (its COPY block). */
async function rowsInDump(file: string, table: string): Promise<number> {
  const r = await execa('pg_restore', ['--data-only', '--table', table, '-f', '-', file]);
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`COPY public.${table} `));
  const end = lines.indexOf('\\.', start);
  if (start < 0 || end < 0) throw new Error(`no COPY block for ${table} in ${file}`);
  return end - start - 1;
}

describe('a backup taken while an application writes', () => {
  it('dumps one snapshot: both tables at the same moment, and the restore check compares against that moment', async () => {
    const db = await freshDatabase('bk_busy');
    // Each application transaction adds one customer and one order for them: in any snapshot the two counts are equal.
    await query(
      db.url,
      `CREATE TABLE customers (id bigserial PRIMARY KEY, name text, bio text);
                         CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint REFERENCES customers(id), total numeric);
                         INSERT INTO customers (name, bio) SELECT 'c' || g, repeat(md5(g::text), 8) FROM generate_series(1, 30000) g;
                         INSERT INTO orders (customer_id, total) SELECT g, g FROM generate_series(1, 30000) g;`,
    );
    const app = await client(db.url);
    let writing = true;
    let committed = 0;
    const writer = (async () => {
      while (writing) {
        await app.query(
          `BEGIN; WITH c AS (INSERT INTO customers (name, bio) VALUES ('live', 'x') RETURNING id) INSERT INTO orders (customer_id, total) SELECT id, 1 FROM c; COMMIT`,
        );
        committed++;
      }
    })();
    try {
      const before = committed;
      const r = await cli([
        'backup',
        '--bundled',
        '--json',
        '--database-url',
        db.url,
        '--backup-dir',
        mkdtempSync(path.join(os.tmpdir(), 'cm-bk-busy-')),
      ]);
      const during = committed - before;
      writing = false;
      await writer;
      expect(r.exitCode, r.stderr).toBe(0);
      const out = json(r);
      expect(out.verified).toBe(true);
      expect(out.restoreCheck).toMatchObject({ tables: 2, mismatches: [], snapshotConsistent: true });
      // The application really wrote while the backup ran.
      expect(during).toBeGreaterThan(10);
      const inDump = {
        customers: await rowsInDump(out.path, 'customers'),
        orders: await rowsInDump(out.path, 'orders'),
      };
      const now = (await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM customers'))[0]!.n;
      // One moment for both tables (equal counts), somewhere inside the run (not before it, not after the writes stopped)...
      expect(inDump.orders).toBe(inDump.customers);
      expect(inDump.customers).toBeGreaterThan(30000);
      expect(inDump.customers).toBeLessThan(now);
      // ...and the rows the restore check compared are exactly the dump's.
      expect(out.restoreCheck.rowsCompared).toBe(inDump.customers + inDump.orders);
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      await app.end();
      await db.drop();
    }
  });
});
