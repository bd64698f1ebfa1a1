import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A project folder made of relative path -> file content. */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-project-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export const SCHEMA_WITH_DIRECT_URL = `// a pooled url for the application, a direct one for Migrate
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider  = "postgresql"
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL")
}

model Account {
  id Int @id @default(autoincrement())
}
`;

export const TWO_MIGRATIONS = {
  'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
  'prisma/migrations/20240101000000_init/migration.sql':
    'CREATE TABLE "Account" ("id" SERIAL NOT NULL, CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));\n',
  'prisma/migrations/20240102000000_add_name/migration.sql': 'ALTER TABLE "Account" ADD COLUMN "name" TEXT;\n',
};
