import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/globalSetup.ts'],
    // One embedded PostgreSQL for the whole run; files get their own databases.
    pool: 'forks',
    // Three files at a time on 2 cores: many wait on replication, holds and screens while the others
    // compute (808 s with 2 isolated workers, 733 s shared, 656 s with a third).
    maxWorkers: 3,
    // The suite is CPU-bound on 2 cores: a fresh process per file re-imported vitest, ink and the
    // sources each time (a third of the console tests' CPU). Files share a worker's modules instead;
    // each still makes its own databases, servers and folders.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
