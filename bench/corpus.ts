import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A generated corpus of realistic Prisma migrations: enums, tables with keys and foreign keys,
 * indexes, added columns, renames, data inserts and updates, spread over `count` folders as a
 * product grows. Deterministic, so that runs compare like with like.
 */
export function generateCorpus(count = 160): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-corpus-'));
  const tables: string[] = [];
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const name = `${String(20240101000000 + i * 1000)}_step_${i}`;
    const lines: string[] = [];
    const kind = i < 4 ? 0 : rnd(6);
    if (kind === 0 || kind === 1) {
      const t = `entity_${i}`;
      if (rnd(3) === 0) {
        lines.push(`-- CreateEnum\nCREATE TYPE "${t}_status" AS ENUM ('DRAFT', 'ACTIVE', 'ARCHIVED');\n`);
      }
      const cols = [
        `"id" TEXT NOT NULL`,
        `"name" TEXT NOT NULL`,
        `"createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP`,
        `"updatedAt" TIMESTAMP(3) NOT NULL`,
      ];
      for (let c = 0; c < 3 + rnd(6); c++)
        cols.push(
          `"field${c}" ${['TEXT', 'INTEGER', 'BOOLEAN NOT NULL DEFAULT false', 'DECIMAL(10,2)', 'JSONB'][rnd(5)]}`,
        );
      const parent = tables.length ? tables[rnd(tables.length)] : undefined;
      if (parent) cols.push(`"parentId" TEXT`);
      lines.push(
        `-- CreateTable\nCREATE TABLE "${t}" (\n    ${cols.join(',\n    ')},\n\n    CONSTRAINT "${t}_pkey" PRIMARY KEY ("id")\n);\n`,
      );
      lines.push(`-- CreateIndex\nCREATE UNIQUE INDEX "${t}_name_key" ON "${t}"("name");\n`);
      if (parent) {
        lines.push(`-- CreateIndex\nCREATE INDEX "${t}_parentId_idx" ON "${t}"("parentId");\n`);
        lines.push(
          `-- AddForeignKey\nALTER TABLE "${t}" ADD CONSTRAINT "${t}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "${parent}"("id") ON DELETE SET NULL ON UPDATE CASCADE;\n`,
        );
      }
      lines.push(
        `INSERT INTO "${t}" ("id", "name", "updatedAt") SELECT 'r' || g, '${t}-' || g, now() FROM generate_series(1, ${50 + rnd(200)}) g;\n`,
      );
      tables.push(t);
    } else if (kind === 2) {
      const t = tables[rnd(tables.length)]!;
      lines.push(
        `-- AlterTable\nALTER TABLE "${t}" ADD COLUMN "extra${i}" TEXT,\nADD COLUMN "flag${i}" BOOLEAN NOT NULL DEFAULT false;\n`,
      );
    } else if (kind === 3) {
      const t = tables[rnd(tables.length)]!;
      lines.push(`-- CreateIndex\nCREATE INDEX "${t}_createdAt_${i}_idx" ON "${t}"("createdAt");\n`);
      lines.push(`-- CreateIndex\nCREATE INDEX "${t}_upd_${i}_idx" ON "${t}"("updatedAt", "name");\n`);
    } else if (kind === 4) {
      const t = tables[rnd(tables.length)]!;
      lines.push(`-- Data\nUPDATE "${t}" SET "updatedAt" = now() WHERE "name" LIKE '%1%';\n`);
      lines.push(`-- AlterTable\nALTER TABLE "${t}" ADD COLUMN "note${i}" TEXT;\n`);
      lines.push(`UPDATE "${t}" SET "note${i}" = 'migrated' WHERE "id" IN (SELECT "id" FROM "${t}" LIMIT 20);\n`);
    } else {
      const a = `link_${i}`;
      const l = tables[rnd(tables.length)]!;
      const r = tables[rnd(tables.length)]!;
      lines.push(
        `-- CreateTable\nCREATE TABLE "${a}" (\n    "leftId" TEXT NOT NULL,\n    "rightId" TEXT NOT NULL,\n    "weight" INTEGER NOT NULL DEFAULT 0,\n\n    CONSTRAINT "${a}_pkey" PRIMARY KEY ("leftId", "rightId")\n);\n`,
      );
      lines.push(`-- CreateIndex\nCREATE INDEX "${a}_rightId_idx" ON "${a}"("rightId");\n`);
      lines.push(
        `-- AddForeignKey\nALTER TABLE "${a}" ADD CONSTRAINT "${a}_leftId_fkey" FOREIGN KEY ("leftId") REFERENCES "${l}"("id") ON DELETE CASCADE ON UPDATE CASCADE;\n`,
      );
      lines.push(
        `-- AddForeignKey\nALTER TABLE "${a}" ADD CONSTRAINT "${a}_rightId_fkey" FOREIGN KEY ("rightId") REFERENCES "${r}"("id") ON DELETE CASCADE ON UPDATE CASCADE;\n`,
      );
    }
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'migration.sql'), lines.join('\n'));
  }
  writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  return dir;
}
