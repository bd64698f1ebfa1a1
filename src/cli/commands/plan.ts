import type { Context } from '../context.js';
import { withDb } from '../../postgres/connect.js';
import { readTargetFacts } from '../../analysis/catalog.js';
import { buildPlan, type PlanResult } from '../../analysis/plan.js';
import { preflightPending } from '../../analysis/preflight.js';
import { renderPreflight } from '../../analysis/preflight-words.js';
import { collectFixes, renderFixDiff, applyFixSet, isEmptyFixSet } from '../../analysis/apply.js';
import { DROP_REASONS } from '../../analysis/lint.js';
import { formatBytes, formatRows, type Finding } from '../../analysis/findings.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { findMigration } from '../../runbook/folder.js';
import { confirm } from '../prompt.js';
import { fixDestination, prepareFixes } from '../../operations/fixes.js';
import { stopReading } from '../../operations/stopDeadline.js';
import path from 'node:path';
import { planRewriteCommand } from '../rewriteCommands.js';

export default async function plan(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.rewrite || opts.apply) return planRewriteCommand(ctx, opts);
  const folder = await ctx.folder();
  const to = opts.to ? findMigration(folder, String(opts.to)).name : undefined;
  const target = ctx.target();
  const reading = withDb(
    target,
    async (db) => {
      const facts = await readTargetFacts(db);
      return { facts, preflight: await preflightPending(db, folder, facts, { to }) };
    },
    { applicationName: 'citadel-migrate plan' },
  );
  const { facts, preflight } = await stopReading(ctx.signal, reading, 'plan');
  const result = await buildPlan(folder, facts, { all: Boolean(opts.all), preflight, to });

  if (opts.applyFixes) return applyFixes(ctx, result);

  if (ctx.json) {
    printJson({
      mode: 'plan',
      migrations: result.migrations.map((m) => ({
        name: m.name,
        atomic: m.atomic,
        statements: m.statements.map(({ sql: _sql, alsoLocks, ...s }) => ({ ...s, alsoLocks })),
      })),
      findings: result.findings.map(
        ({
          migration,
          statement,
          rule,
          severity,
          message,
          fix,
          file,
          source,
          relation,
          relationBytes,
          estimatedRows,
          alsoAt,
        }) => ({
          migration,
          statement,
          rule,
          severity,
          message,
          fix,
          ...(file ? { file } : {}),
          source,
          ...(relation !== undefined
            ? { relation, relationBytes: relationBytes ?? null, estimatedRows: estimatedRows ?? null }
            : {}),
          ...(alsoAt?.length ? { alsoAt } : {}),
        }),
      ),
      noteGroups: result.noteGroups,
      preflight: result.preflight ?? null,
      rawLintCount: result.rawLintCount,
      droppedLint: result.droppedLint,
      ...(result.lintError ? { lintError: result.lintError } : {}),
      fixes: {
        rewrites: result.fixes.rewrites.map((r) => ({
          migration: r.migration,
          from: r.from,
          to: r.to,
          lines: [...new Set(r.uses.map((u) => u.line))],
        })),
        renames: result.fixes.renames,
      },
    });
  } else {
    print(renderPlan(result, target.display));
  }
  return result.findings.some((f) => f.severity === 'error') ? ExitCode.failed : ExitCode.ok;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const SYMBOL: Record<Finding['severity'], string> = { error: '✗', warning: '!', info: '·' };

export function renderPlan(r: PlanResult, where: string): string {
  const out: string[] = [];
  const pending = r.migrations.length;
  out.push(`PLAN (dry run, nothing is written) on ${where}: ${pending} pending migration${pending === 1 ? '' : 's'}`);
  const top = r.findings.filter((f) => f.severity !== 'info').slice(0, 5);
  if (top.length) {
    out.push('', 'Most dangerous on this target first:');
    top.forEach((f, i) =>
      out.push(
        `  ${i + 1}. ${SYMBOL[f.severity]} ${f.migration}${f.statement ? ` line ${f.statement}` : ''} [${f.rule}] ${f.message.length > 160 ? `${f.message.slice(0, 157)}…` : f.message}`,
      ),
    );
  }
  // Notes repeated on many statements are said once, at the end.
  const grouped = new Set(r.noteGroups.map((g) => g.rule));
  const byMigration = new Map<string, Finding[]>();
  for (const f of r.findings)
    if (!(f.severity === 'info' && grouped.has(f.rule)))
      byMigration.set(f.migration, [...(byMigration.get(f.migration) ?? []), f]);
  const names = [...new Set([...r.states.map((s) => s.name)])];
  for (const name of names) {
    const m = r.migrations.find((x) => x.name === name);
    const fs = byMigration.get(name) ?? [];
    if (!m && !fs.length) continue;
    out.push('');
    if (m) {
      const heavy = m.statements.filter((s) => s.lock === 'ACCESS EXCLUSIVE' && s.relationBytes !== null);
      out.push(
        `▶ ${name}  (${plural(m.statements.length, 'statement')}, ${m.atomic ? 'one transaction' : 'NOT atomic: has statements that run outside a transaction'})`,
      );
      const locks = summarizeLocks(m.statements);
      if (locks) out.push(`  locks: ${locks}`);
      for (const s of m.statements.filter((x) => x.rewrites && x.relationBytes !== null)) {
        out.push(
          `  rewrites ${s.relation} (${formatBytes(s.relationBytes)}, ${formatRows(s.estimatedRows)}) at line ${s.line}: time and disk grow with its size`,
        );
      }
      if (heavy.length && !locks) out.push(`  ${heavy.length} statements take ACCESS EXCLUSIVE on existing tables`);
    } else {
      out.push(`▶ ${name}  (${r.states.find((s) => s.name === name)?.state ?? ''})`);
    }
    let lastFix = '';
    for (const f of fs) {
      const where = f.statement ? `${f.file ?? 'line'}${f.file ? ':' : ' '}${f.statement}` : '';
      const more = f.alsoAt?.length
        ? ` (also line${f.alsoAt.length > 1 ? 's' : ''} ${f.alsoAt.slice(0, 6).join(', ')}${f.alsoAt.length > 6 ? ', …' : ''})`
        : '';
      out.push(`  ${SYMBOL[f.severity]} ${f.severity.padEnd(7)} ${where}${more} [${f.rule}] ${f.message}`);
      // The same fix for several findings (one folder rename for every relation it needs) is said once.
      if (f.fix && f.fix !== lastFix) out.push(`      fix: ${f.fix}`);
      lastFix = f.fix;
    }
  }
  for (const g of r.noteGroups) {
    out.push(
      '',
      `${SYMBOL.info} note    [${g.rule}] in ${g.migrations.length} migration${g.migrations.length === 1 ? '' : 's'} (${g.count} statements; first ${g.migrations[0]}): ${g.message}`,
    );
    if (g.fix) out.push(`      fix: ${g.fix}`);
  }
  if (r.preflight) out.push('', ...renderPreflight(r.preflight));
  out.push('');
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  out.push(`${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'note')}.`);
  if (r.lintError) out.push(`Lint skipped: ${r.lintError}.`);
  else {
    const dropped = Object.entries(r.droppedLint).map(
      ([k, v]) => `${v} ${DROP_REASONS[k as keyof typeof DROP_REASONS]}`,
    );
    const shown = r.findings.filter((f) => f.source === 'squawk').length;
    out.push(
      `squawk raised ${r.rawLintCount} findings; ${shown} shown${dropped.length ? `, left out: ${dropped.join('; ')}` : ''}.${dropped.length ? ' (--all shows every one)' : ''}`,
    );
  }
  if (r.fixes.rewrites.length || r.fixes.renames.length)
    out.push(
      'Fixes are proposed above: `citadel-migrate plan --apply-fixes` shows the diff and asks before changing any file.',
    );
  return out.join('\n');
}

/** "ACCESS EXCLUSIVE on users (2.1 GB), orders; SHARE on products": the locks that stop the application. */
function summarizeLocks(statements: PlanResult['migrations'][number]['statements']): string {
  const byMode = new Map<string, Map<string, number | null>>();
  for (const s of statements) {
    if (!s.lock || !s.relation || s.relationBytes === null) continue; // new relations: nobody waits for them
    if (!['ACCESS EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE'].includes(s.lock)) continue;
    const rels = byMode.get(s.lock) ?? new Map<string, number | null>();
    rels.set(s.relation, s.relationBytes);
    byMode.set(s.lock, rels);
  }
  return [...byMode]
    .map(
      ([mode, rels]) =>
        `${mode} on ${[...rels]
          .slice(0, 6)
          .map(([r, b]) => `${r} (${formatBytes(b)})`)
          .join(', ')}${rels.size > 6 ? ` and ${rels.size - 6} more` : ''}`,
    )
    .join('; ');
}

async function applyFixes(ctx: Context, result: PlanResult): Promise<number> {
  const folder = await ctx.folder();
  let fixes = await collectFixes(folder, result, ctx.runbookFile());
  for (const why of fixes.refused) printErr(`not changed: ${why}`);
  if (isEmptyFixSet(fixes)) {
    if (ctx.json) printJson({ applied: false, reason: 'nothing to fix', refused: fixes.refused });
    else print('No fixes to apply.');
    return result.findings.some((f) => f.severity === 'error') ? ExitCode.failed : ExitCode.ok;
  }
  const dest = fixDestination(ctx);
  const diff = renderFixDiff(fixes);
  // The diff goes to stderr under --json, so stdout stays one JSON document.
  if (ctx.json) printErr(diff);
  else print(diff + '\n');
  if (ctx.needsConfirmation('change the migration files')) {
    const where = dest.copy
      ? `a copy of the bundled runbook in ${dest.dir} (the package's own files are never changed)`
      : fixes.dir;
    const yes = await confirm(`Apply these fixes to ${where}? A copy of every changed file is kept.`);
    if (!yes) {
      if (ctx.json) printJson({ applied: false, reason: 'declined' });
      else print('Nothing changed.');
      return ExitCode.ok;
    }
  }
  fixes = prepareFixes(ctx, fixes);
  const end = (await ctx.journal()).begin('plan.apply-fixes', {
    migrations: fixes.dir,
    rewrites: fixes.changes.map((c) => ({ migration: c.migration, lines: c.edits.map((e) => e.line) })),
    renames: fixes.renames,
    manifest: fixes.manifest?.file ?? null,
  });
  try {
    const applied = await applyFixSet(fixes);
    end({ ok: true, backup: applied.backup });
    const again = dest.copy ? ` --migrations ${path.relative(process.cwd(), dest.dir) || dest.dir}` : '';
    if (ctx.json)
      printJson({ applied: true, migrations: fixes.dir, ...(dest.copy ? { copyOfBundled: true } : {}), ...applied });
    else {
      if (dest.copy)
        print(
          `The bundled runbook is part of the package and was not changed: the fixes were applied to a copy in ${dest.dir}.`,
        );
      print(
        `Applied. The previous files are kept in ${applied.backup}. Run \`citadel-migrate plan${again}\` again to check, then \`citadel-migrate rehearse${again}\`.`,
      );
    }
    return ExitCode.ok;
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
}
