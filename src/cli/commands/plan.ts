import type { Context } from '../context.js';
import path from 'node:path';
import { formatBytes } from '../../format.js';
import {
  DROP_REASONS,
  executeApplyFixes,
  executePlan,
  formatRows,
  prepareApplyFixes,
  preparePlan,
  renderPreflight,
  type Finding,
  type PlanResult,
} from '../../operations/plan.js';
import { print, printErr, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { confirmOnTerminal } from '../prompt.js';
import { planRewriteCommand } from '../rewriteCommands.js';
import type { SafeFormOffer } from '../../operations/rewrite.js';

export default async function plan(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.rewrite || opts.apply) return planRewriteCommand(ctx, opts);
  const input = { ...(opts.to ? { to: String(opts.to) } : {}), all: Boolean(opts.all) };
  if (opts.applyFixes) return applyFixes(ctx, input);
  const { plan: request } = await preparePlan(ctx, { ...input, safeForm: !ctx.json });
  const target = ctx.target();
  const result = await executePlan(ctx, request);

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
    if (result.safeForm) print(safeFormHint(result.safeForm));
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
    for (const [i, f] of top.entries())
      out.push(
        `  ${i + 1}. ${SYMBOL[f.severity]} ${f.migration}${f.statement ? ` line ${f.statement}` : ''} [${f.rule}] ${f.message.length > 160 ? `${f.message.slice(0, 157)}…` : f.message}`,
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

const safeFormHint = (o: SafeFormOffer) =>
  `${o.line}, for ${plural(o.migrations.length, 'migration')} (${o.migrations.join(', ')}): ` +
  '`citadel-migrate plan --rewrite` shows it step by step, `citadel-migrate run --rewrite` runs it.';

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

async function applyFixes(ctx: Context, input: { to?: string; all: boolean }): Promise<number> {
  const { plan, question } = await prepareApplyFixes(ctx, input, { notice: printErr });
  const errors = plan.result.findings.some((f) => f.severity === 'error');
  if (plan.empty) {
    if (ctx.json) printJson({ applied: false, reason: 'nothing to fix', refused: plan.fixes.refused });
    else print('No fixes to apply.');
    return errors ? ExitCode.failed : ExitCode.ok;
  }
  // The diff goes to stderr under --json, so stdout stays one JSON document.
  if (ctx.json) printErr(plan.diff);
  else print(plan.diff + '\n');
  const answer = await confirmOnTerminal(question, { yes: ctx.opts.yes, what: 'change the migration files' });
  if (!answer.confirmed) {
    if (ctx.json) printJson({ applied: false, reason: 'declined' });
    else print('Nothing changed.');
    return ExitCode.ok;
  }
  const o = await executeApplyFixes(ctx, plan);
  const again = o.copyOfBundled ? ` --migrations ${path.relative(process.cwd(), o.migrations) || o.migrations}` : '';
  if (ctx.json)
    printJson({
      applied: true,
      migrations: o.migrations,
      ...(o.copyOfBundled ? { copyOfBundled: true } : {}),
      ...o.applied,
    });
  else {
    if (o.copyOfBundled)
      print(
        `The bundled runbook is part of the package and was not changed: the fixes were applied to a copy in ${o.migrations}.`,
      );
    print(
      `Applied. The previous files are kept in ${o.applied.backup}. Run \`citadel-migrate plan${again}\` again to check, then \`citadel-migrate rehearse${again}\`.`,
    );
  }
  return ExitCode.ok;
}
