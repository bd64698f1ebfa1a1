// The real Prisma CLI, run offline as the oracle for our bookkeeping (DESIGN section 3):
// the JS schema engine through the pg adapter needs no downloaded engine binaries.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

// The pg adapter cannot hand a `name` or `"char"` column to the JS schema engine ("Column type 'name'
// could not be deserialized"), and `migrate deploy` reads catalog columns of those types before it
// applies anything. Their text is the value: they are passed on as text, in this process only.
const CATALOG_TEXT_TYPES = new Set([18, 19]);
const asText = (res: { fields?: { dataTypeID: number }[] } | undefined) => {
  for (const f of res?.fields ?? []) if (CATALOG_TEXT_TYPES.has(f.dataTypeID)) f.dataTypeID = 25;
  return res;
};
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // the pool calls with a callback, the adapter's own client awaits a promise
  const last = args.length - 1;
  const done = args[last];
  if (typeof done === 'function')
    args[last] = (err: unknown, res: Parameters<typeof asText>[0]) => done(err, err ? res : asText(res));
  const r = query.apply(this, args);
  return r instanceof Promise ? r.then(asText) : r;
} as typeof pg.Client.prototype.query;

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: './schema.prisma',
  migrations: { path: process.env.ORACLE_MIGRATIONS_DIR ?? '../../migrations' },
  adapter: async () =>
    // allowExitOnIdle: an idle pool must not keep the CLI alive for its 10 s idle timeout.
    new PrismaPg({ connectionString: process.env.ORACLE_DATABASE_URL, allowExitOnIdle: true, idleTimeoutMillis: 200 }),
});
