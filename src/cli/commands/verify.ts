import type { Context } from '../context.js';
import { print, printJson } from '../output.js';
import { ExitCode, UserError } from '../errors.js';
import { withDb } from '../../postgres/connect.js';
import { readHistory } from '../../runbook/history.js';
import { migrationStates } from '../../runbook/status.js';
import { contextManifest } from '../../safety/runbook.js';
import { checkExpected, type ExpectedItemResult } from '../../safety/verify.js';
import { integrityChecks } from '../../safety/integrity.js';
import { runAnalyze, runSetupStep, type SetupStepResult } from '../../safety/postSetup.js';
import { formatDuration } from '../../safety/format.js';
import { verifyLogSlow, verifyPerformance } from './verifyPerformance.js';

interface MigrationVerification {
  name: string;
  title?: string;
  state: string;
  items: ExpectedItemResult[];
  ok: boolean;
}

export default async function verify(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.logSlow === 'string') return verifyLogSlow(ctx, opts.logSlow, opts.for);
  if (opts.performance) return verifyPerformance(ctx);
  const only = args[0];
  const target = ctx.target();
  const manifest = await contextManifest(ctx);
  const folder = await ctx.folder();
  if (only && !folder.migrations.some((m) => m.name === only) && !manifest?.migrations.some((m) => m.name === only)) {
    throw new UserError(`There is no migration named "${only}": run \`citadel-migrate status\` to list them.`, 'bad-input');
  }
  const notes: string[] = [];
  if (!manifest) notes.push('no runbook manifest (runbook.yaml): expected tables, enums, columns and indexes cannot be checked, only the integrity checks run; pass --runbook FILE');
  const end = ctx.journal().begin('verify', { migration: only ?? null, setup: Boolean(opts.setup), analyze: Boolean(opts.analyze) });
  try {
    const result = await withDb(target, async (db) => {
      const states = migrationStates(folder.migrations, await readHistory(db));
      const stateOf = (name: string) => states.find((s) => s.name === name)?.state ?? 'missing-locally';
      const chosen = (manifest?.migrations ?? []).filter((m) => (only ? m.name === only : stateOf(m.name) === 'applied'));
      if (only && manifest && !chosen.length) notes.push(`${only} is not in the runbook manifest: nothing is expected of it`);
      const migrations: MigrationVerification[] = [];
      for (const m of chosen) {
        const items = await checkExpected(db, m.expected);
        migrations.push({ name: m.name, title: m.title, state: stateOf(m.name), items, ok: items.every((i) => i.status === 'pass') });
      }
      const integrity = await integrityChecks(db);
      const setup: SetupStepResult[] = [];
      if (opts.setup) {
        for (const m of chosen) {
          for (const step of m.postSetup) {
            const endStep = ctx.journal().begin('verify.setup', { migration: m.name, step: step.id });
            const r = await runSetupStep(db, m.name, step);
            endStep(r);
            setup.push(r);
          }
        }
        if (!setup.length) notes.push('no post-migration setup steps for the chosen migrations');
      }
      const analyze = opts.analyze ? await runAnalyze(db) : undefined;
      return { migrations, integrity, setup, analyze };
    }, { applicationName: 'citadel-migrate verify' });

    const missing = result.migrations.flatMap((m) => m.items.filter((i) => i.status === 'fail').map((i) => `${m.name}: ${i.kind} ${i.name}`));
    const setupFailed = result.setup.filter((s) => s.status === 'failed');
    const failed = missing.length > 0 || result.integrity.status === 'fail' || setupFailed.length > 0;
    end({ ok: !failed, missing, integrity: result.integrity.status, findings: result.integrity.findings, setup: result.setup.map((s) => ({ id: s.id, status: s.status, rows: s.rows })) });

    if (ctx.json) {
      printJson({
        migrations: result.migrations,
        integrity: result.integrity,
        ...(opts.setup ? { setup: result.setup } : {}),
        ...(result.analyze ? { analyze: result.analyze } : {}),
        ok: !failed,
        ...(notes.length ? { notes } : {}),
      });
    } else {
      print(render(target.display, result, notes));
    }
    return failed ? ExitCode.failed : ExitCode.ok;
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}

function render(where: string, r: { migrations: MigrationVerification[]; integrity: Awaited<ReturnType<typeof integrityChecks>>; setup: SetupStepResult[]; analyze?: { durationMs: number } }, notes: string[]): string {
  const out = [`Verification of ${where}`];
  if (!r.migrations.length && !notes.length) out.push('', 'No applied migration of the runbook to verify.');
  for (const m of r.migrations) {
    const bad = m.items.filter((i) => i.status === 'fail');
    out.push('', `${m.ok ? '✓' : '✗'} ${m.name}${m.title ? ` (${m.title})` : ''}: ${m.items.length - bad.length}/${m.items.length} expected changes present${m.state !== 'applied' ? ` [state: ${m.state}]` : ''}`);
    for (const kind of ['table', 'enum', 'column', 'index'] as const) {
      const all = m.items.filter((i) => i.kind === kind);
      if (!all.length) continue;
      const missing = all.filter((i) => i.status === 'fail');
      out.push(`    ${missing.length ? '✗' : '✓'} ${kind}s ${all.length - missing.length}/${all.length}`);
      for (const i of missing) out.push(`        ✗ ${i.name}: ${i.problem}`);
    }
  }
  const g = r.integrity;
  const sym = { pass: '✓', warn: '!', fail: '✗' }[g.status];
  out.push('', `${sym} Integrity checks: ${g.tableCounts.map((t) => `${t.schema} ${t.tables} tables, ${t.foreign_keys} foreign keys`).join('; ') || 'no tables'}; _prisma_migrations ${g.history.finished} finished, ${g.history.failed.length} failed, ${g.history.rolledBack} rolled back`);
  for (const f of g.findings) out.push(`    ${f}`);
  for (const s of r.setup) out.push(`${s.status === 'done' ? '✓' : '✗'} setup ${s.migration} ${s.id} (${s.title}): ${s.status === 'done' ? `${s.rows} row(s) added, ${formatDuration(s.durationMs)}` : s.error}`);
  if (r.analyze) out.push(`✓ ANALYZE done in ${formatDuration(r.analyze.durationMs)}`);
  for (const n of notes) out.push('', `Note: ${n}`);
  return out.join('\n');
}
