// A real PgBouncer between the console and the sandbox: Prisma's session lock cannot be held through
// transaction pooling, so run refuses there before taking it; session pooling works.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { freshDatabase, query } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json } from '../helpers/cli.js';
import { startPgBouncer, type Bouncer } from '../helpers/pgbouncer.js';
import { makeProject, SCHEMA_WITH_DIRECT_URL, TWO_MIGRATIONS } from '../helpers/project.js';
import { parseTarget } from '../../src/postgres/target.js';
import { connect } from '../../src/postgres/connect.js';
import { detectPooler, knownPooler } from '../../src/postgres/pooler.js';

const advisoryLocks = async (url: string) => Number((await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()"))[0]!.n);
const hasHistory = async (url: string) => (await query<{ t: string | null }>(url, "SELECT to_regclass('_prisma_migrations')::text AS t"))[0]!.t !== null;

async function modeOf(url: string) {
  const target = parseTarget(url);
  const db = await connect(target);
  try {
    return (await detectPooler(target, db)).mode;
  } finally {
    await db.end();
  }
}

describe('connection poolers', () => {
  let transaction: Bouncer;
  let session: Bouncer;
  let statement: Bouncer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const folder = makeMigrations({ '1_accounts': 'CREATE TABLE accounts (id int PRIMARY KEY);', '2_name': 'ALTER TABLE accounts ADD COLUMN name text;' });
  beforeAll(async () => {
    [transaction, session, statement, db] = await Promise.all([startPgBouncer('transaction'), startPgBouncer('session'), startPgBouncer('statement'), freshDatabase('pooler')]);
  });
  afterAll(async () => {
    await Promise.all([transaction?.stop(), session?.stop(), statement?.stop()]);
    await db?.drop();
  });

  it('tells a direct connection from PgBouncer in session, transaction and statement mode', async () => {
    expect(await modeOf(db.url)).toBe('none');
    expect(await modeOf(session.url(db.name))).toBe('session');
    expect(await modeOf(transaction.url(db.name))).toBe('transaction');
    expect(await modeOf(statement.url(db.name))).toBe('statement');
    // with several idle server connections in the pool (a busy application), the answer holds
    await Promise.all([1, 2, 3, 4].map(() => query(transaction.url(db.name), 'SELECT pg_sleep(0.05)')));
    await Promise.all([1, 2, 3].map(() => query(session.url(db.name), 'SELECT pg_sleep(0.05)')));
    for (let i = 0; i < 5; i++) {
      expect(await modeOf(transaction.url(db.name))).toBe('transaction');
      expect(await modeOf(session.url(db.name))).toBe('session');
    }
    expect(knownPooler(parseTarget('postgresql://u@aws-0-eu-central-1.pooler.supabase.com:6543/postgres'))?.mode).toBe('transaction');
    expect(knownPooler(parseTarget('postgresql://u@aws-0-eu-central-1.pooler.supabase.com:5432/postgres'))?.mode).toBe('session');
    expect(knownPooler(parseTarget('postgresql://u@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb'))?.mode).toBe('transaction');
    expect(knownPooler(parseTarget('postgresql://u@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb'))).toBeUndefined();
  });

  it('run through transaction pooling is refused before the lock: nothing written, no advisory lock anywhere', async () => {
    const r = await cli(['run', '--yes', '--json', '--database-url', transaction.url(db.name), '--migrations', folder]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^Refusing to migrate through the transaction-mode connection pooler at 127\.0\.0\.1:\d+ \(.*\): Prisma's migration lock belongs to a database session, which such a pooler hands to other clients between transactions, so connect to PostgreSQL directly .*\.$/);
    expect(await hasHistory(db.url)).toBe(false);
    expect(await advisoryLocks(db.url)).toBe(0);

    // status still works, and warns
    const s = await cli(['status', '--json', '--database-url', transaction.url(db.name), '--migrations', folder]);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(json(s).migrations.map((m: any) => m.state)).toEqual(['pending', 'pending']);
    expect(json(s).warnings).toEqual([expect.stringMatching(/^Warning: `run`, `skip` and `rollback` will refuse to migrate through the transaction-mode connection pooler/)]);
    const l = await cli(['locks', '--json', '--database-url', transaction.url(db.name)]);
    expect(l.exitCode, l.stderr).toBe(0);
    expect(json(l).waits).toEqual([]);
    expect(l.stderr).toMatch(/^Warning: `run`, `skip` and `rollback` will refuse to migrate through the transaction-mode connection pooler/);
  });

  it("in a project with a directUrl, the refusal names the schema's direct URL variable", async () => {
    const project = makeProject({ 'prisma/schema.prisma': SCHEMA_WITH_DIRECT_URL, ...TWO_MIGRATIONS, '.env': `DIRECT_URL="${db.url}"\n` });
    const r = await cli(['run', '--yes', '--database-url', transaction.url(db.name)], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/so use the direct URL in DIRECT_URL \(the schema's directUrl\), or pass it as --database-url\./);
    expect(await hasHistory(db.url)).toBe(false);
    expect(await advisoryLocks(db.url)).toBe(0);
  });

  it('run through session pooling works, and leaves no lock behind', async () => {
    const r = await cli(['run', '--yes', '--json', '--database-url', session.url(db.name), '--migrations', folder]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).migrations.map((m: any) => m.outcome)).toEqual(['applied', 'applied']);
    expect(await query(db.url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1')).toEqual([{ migration_name: '1_accounts' }, { migration_name: '2_name' }]);
    expect(await advisoryLocks(db.url)).toBe(0);
  });
});
