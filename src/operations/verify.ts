import { withDb, type Db } from '../postgres/connect.js';
import { readHistory } from '../runbook/history.js';
import { migrationStates } from '../runbook/status.js';
import type { RunbookManifest } from '../runbook/manifest.js';
import { checkExpected, type ExpectedItemResult } from '../safety/verify.js';
import { integrityChecks } from '../safety/integrity.js';
import { runAnalyze, runSetupStep, type SetupStepResult } from '../safety/postSetup.js';
import { contextManifest } from '../safety/runbook.js';
import {
  compareWithSchema,
  describeCounts,
  prepareSchema,
  type SchemaComparison,
  type SchemaNotCompared,
} from '../safety/schemaCheck.js';
import { UserError } from '../errors.js';
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';
import type { Prepared } from './confirm.js';
import type { MigrationsFolder } from '../runbook/folder.js';

/** "3 tables, 1 enum…": what a schema comparison covered, in the words both front ends print. */
export { describeCounts };

export interface MigrationVerification {
  name: string;
  title?: string;
  state: string;
  items: ExpectedItemResult[];
  ok: boolean;
}

export interface MissingChange {
  migration: string;
  kind: ExpectedItemResult['kind'];
  name: string;
  problem?: string;
}

export interface VerifyResult {
  migrations: MigrationVerification[];
  integrity: Awaited<ReturnType<typeof integrityChecks>>;
  setup: SetupStepResult[];
  analyze?: { durationMs: number };
  missing: MissingChange[];
  /** The database against the project's schema.prisma, or why it was not compared. */
  schema: SchemaComparison | SchemaNotCompared;
  ok: boolean;
  notes: string[];
}

export interface VerifyInput {
  only?: string;
  setup?: boolean;
  analyze?: boolean;
}

/** What `verify` will check: the migrations chosen, the manifest and the schema to compare with. */
export interface VerifyPlan extends VerifyInput {
  manifest: RunbookManifest | undefined;
  folder: MigrationsFolder;
  prepared: ReturnType<typeof prepareSchema> | undefined;
  notes: string[];
}

/** The guide's verification, read-only but for --setup's rows: nothing to confirm. */
export async function prepareVerify(
  ws: Workspace,
  input: VerifyInput,
  io: { manifest?: RunbookManifest | null } = {},
): Promise<Prepared<VerifyPlan>> {
  const { only } = input;
  const manifest = io.manifest === undefined ? await contextManifest(ws) : (io.manifest ?? undefined);
  const folder = await ws.folder();
  if (only && !folder.migrations.some((m) => m.name === only) && !manifest?.migrations.some((m) => m.name === only)) {
    throw new UserError(
      `There is no migration named "${only}": run \`citadel-migrate status\` to list them.`,
      'bad-input',
    );
  }
  const notes: string[] = [];
  const project = ws.project();
  const prepared = project.schema && !only ? prepareSchema(project.schema, project.cwd, ws.target().url) : undefined;
  if (!manifest && !prepared)
    notes.push(
      'no runbook manifest (runbook.yaml): expected tables, enums, columns and indexes cannot be checked, only the integrity checks run; pass --runbook FILE',
    );
  return { plan: { ...input, manifest, folder, prepared, notes }, question: null };
}

/**
 * The guide's verification: each applied runbook migration's expected changes, the integrity
 * checks, and on request the post-migration setup and ANALYZE. Journalled with its findings.
 * The console passes its open session and the manifest it has read.
 */
export async function verifyOperation(
  ws: Workspace,
  input: VerifyInput,
  io: { db?: Db; manifest?: RunbookManifest | null } = {},
): Promise<VerifyResult> {
  return executeVerify(ws, (await prepareVerify(ws, input, io)).plan, io);
}

export async function executeVerify(ws: Workspace, plan: VerifyPlan, io: { db?: Db } = {}): Promise<VerifyResult> {
  const { only, manifest, folder, prepared, notes: planNotes } = plan;
  const notes = [...planNotes];
  const journal = await stopReading(ws.signal, ws.journal(), 'verify');
  const end = journal.begin('verify', {
    migration: only ?? null,
    setup: Boolean(plan.setup),
    analyze: Boolean(plan.analyze),
  });
  const work = async (db: Db) => {
    const states = migrationStates(folder.migrations, await readHistory(db));
    const schema: SchemaComparison | SchemaNotCompared = prepared
      ? await compareWithSchema(db, prepared)
      : {
          file: null,
          reason: only
            ? `verify ${only} checks one migration; verify without a name compares the database with schema.prisma`
            : 'no schema.prisma found: pass --schema PATH to compare the database with one',
        };
    const pending = states.filter((s) => s.state === 'pending').length;
    if (prepared && pending)
      notes.push(
        `${pending} migration(s) are pending: the schema describes the database after them, so some differences may be theirs`,
      );
    const stateOf = (name: string) => states.find((s) => s.name === name)?.state ?? 'missing-locally';
    const chosen = (manifest?.migrations ?? []).filter((m) => (only ? m.name === only : stateOf(m.name) === 'applied'));
    if (only && manifest && !chosen.length)
      notes.push(`${only} is not in the runbook manifest: nothing is expected of it`);
    const migrations: MigrationVerification[] = [];
    for (const m of chosen) {
      const items = await checkExpected(db, m.expected);
      migrations.push({
        name: m.name,
        title: m.title,
        state: stateOf(m.name),
        items,
        ok: items.every((i) => i.status === 'pass'),
      });
    }
    const integrity = await integrityChecks(db);
    const setup: SetupStepResult[] = [];
    if (plan.setup) {
      for (const m of chosen) {
        for (const step of m.postSetup) {
          const endStep = journal.begin('verify.setup', { migration: m.name, step: step.id });
          const done = await runSetupStep(db, m.name, step);
          endStep(done);
          setup.push(done);
        }
      }
      if (!setup.length) notes.push('no post-migration setup steps for the chosen migrations');
    }
    const analyze = plan.analyze ? await runAnalyze(db) : undefined;
    return { migrations, integrity, setup, analyze, schema };
  };
  try {
    const stopped = plan.setup
      ? 'Stopped before verify had its answer from the server; its setup steps may have run in part: run `citadel-migrate verify` again to see what is in place.'
      : undefined;
    const r = io.db
      ? await work(io.db)
      : await stopReading(
          ws.signal,
          withDb(ws.target(), work, { applicationName: 'citadel-migrate verify' }),
          'verify',
          stopped,
        );
    const missing = r.migrations.flatMap((m) =>
      m.items
        .filter((i) => i.status === 'fail')
        .map((i) => ({ migration: m.name, kind: i.kind, name: i.name, ...(i.problem ? { problem: i.problem } : {}) })),
    );
    const schemaOk = r.schema.file === null || r.schema.ok;
    const ok =
      missing.length === 0 && schemaOk && r.integrity.status !== 'fail' && !r.setup.some((s) => s.status === 'failed');
    end({
      ok,
      missing: missing.map((m) => `${m.migration}: ${m.kind} ${m.name}`),
      integrity: r.integrity.status,
      findings: r.integrity.findings,
      setup: r.setup.map((s) => ({ id: s.id, status: s.status, rows: s.rows })),
      // What was compared, so that the report never claims more than was checked.
      runbook: manifest
        ? { migrations: r.migrations.length, items: r.migrations.reduce((n, m) => n + m.items.length, 0) }
        : null,
      schema:
        r.schema.file === null
          ? { reason: r.schema.reason }
          : {
              file: r.schema.file,
              ok: r.schema.ok,
              compared: r.schema.compared,
              drift: r.schema.drift.map((d) => d.message),
            },
    });
    return { ...r, missing, ok, notes };
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}
