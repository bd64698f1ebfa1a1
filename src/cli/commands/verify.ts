import type { Context } from '../context.js';
import { print, printJson } from '../output.js';
import { ExitCode } from '../errors.js';
import { formatDuration } from '../../format.js';
import { describeCounts, executeVerify, prepareVerify, type VerifyResult } from '../../operations/verify.js';
import { verifyLogSlow, verifyPerformance } from './verifyPerformance.js';

export default async function verify(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (typeof opts.logSlow === 'string') return verifyLogSlow(ctx, opts.logSlow, opts.for);
  if (opts.performance) return verifyPerformance(ctx);
  const target = ctx.target();
  const { plan } = await prepareVerify(ctx, {
    only: args[0],
    setup: Boolean(opts.setup),
    analyze: Boolean(opts.analyze),
  });
  const result = await executeVerify(ctx, plan);
  if (ctx.json) {
    printJson({
      migrations: result.migrations,
      integrity: result.integrity,
      ...(opts.setup ? { setup: result.setup } : {}),
      ...(result.analyze ? { analyze: result.analyze } : {}),
      schema: result.schema,
      ok: result.ok,
      ...(result.notes.length ? { notes: result.notes } : {}),
    });
  } else {
    print(render(target.display, result, result.notes));
  }
  return result.ok ? ExitCode.ok : ExitCode.failed;
}

function render(
  where: string,
  r: Pick<VerifyResult, 'migrations' | 'integrity' | 'setup' | 'analyze' | 'schema'>,
  notes: string[],
): string {
  const out = [`Verification of ${where}`, '', ...renderSchema(r.schema)];
  if (!r.migrations.length && !notes.length && r.schema.file === null)
    out.push('', 'No applied migration of the runbook to verify.');
  for (const m of r.migrations) {
    const bad = m.items.filter((i) => i.status === 'fail');
    out.push(
      '',
      `${m.ok ? '✓' : '✗'} ${m.name}${m.title ? ` (${m.title})` : ''}: ${m.items.length - bad.length}/${m.items.length} expected changes present${m.state !== 'applied' ? ` [state: ${m.state}]` : ''}`,
    );
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
  out.push(
    '',
    `${sym} Integrity checks: ${g.tableCounts.map((t) => `${t.schema} ${t.tables} tables, ${t.foreign_keys} foreign keys`).join('; ') || 'no tables'}; _prisma_migrations ${g.history.finished} finished, ${g.history.failed.length} failed, ${g.history.rolledBack} rolled back`,
  );
  for (const f of g.findings) out.push(`    ${f}`);
  for (const s of r.setup)
    out.push(
      `${s.status === 'done' ? '✓' : '✗'} setup ${s.migration} ${s.id} (${s.title}): ${s.status === 'done' ? `${s.rows} row(s) added, ${formatDuration(s.durationMs)}` : s.error}`,
    );
  if (r.analyze) out.push(`✓ ANALYZE done in ${formatDuration(r.analyze.durationMs)}`);
  for (const n of notes) out.push('', `Note: ${n}`);
  return out.join('\n');
}

function renderSchema(s: VerifyResult['schema']): string[] {
  if (s.file === null) return [`- Schema: not compared (${s.reason})`];
  if (s.ok)
    return [
      `✓ Schema: the database matches ${s.file} (${describeCounts(s.compared)})`,
      `    not compared: ${s.notCompared.join(', ')}`,
    ];
  const n = s.drift.length;
  return [
    `✗ Schema: ${n} difference${n === 1 ? '' : 's'} between the database and ${s.file} (compared ${describeCounts(s.compared)})`,
    ...s.drift.map((d) => `    ✗ ${d.message}`),
    `    not compared: ${s.notCompared.join(', ')}`,
  ];
}
