// The real Prisma CLI, run offline as the oracle for our bookkeeping (DESIGN section 3):
// the JS schema engine through the pg adapter needs no downloaded engine binaries.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: './schema.prisma',
  migrations: { path: process.env.ORACLE_MIGRATIONS_DIR ?? '../../migrations' },
  adapter: async () =>
    // allowExitOnIdle: an idle pool must not keep the CLI alive for its 10 s idle timeout.
    new PrismaPg({ connectionString: process.env.ORACLE_DATABASE_URL, allowExitOnIdle: true, idleTimeoutMillis: 200 }),
});
