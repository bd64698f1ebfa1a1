// The run dialog: before anything runs, what each migration will do to the database: whether it
// runs in one transaction, the strongest lock it takes and on which table (with its size), what
// `plan` finds in it, the sessions that would block it right now, and the lock policy in words.
// A migration with an error finding needs a second, explicit confirmation.
import type { ConsoleHost } from './host.js';
import type { Confirm, DialogSpec } from './dialog.js';
import type { PlannedMigration, PlanResult } from '../analysis/plan.js';
import { bindingOf, type ActionId } from './keys.js';
import { bytes, duration, estimate, oneLine } from './format.js';
import { lockPolicy, describeLockPolicy } from '../engine/lockPolicy.js';
import { confirmationFor } from '../operations/confirm.js';
import type { Blocker } from './risks.js';
import { statesKey } from './planCache.js';

const modeWord = (c: ConsoleHost) => ({ live: 'LIVE database', demo: 'DEMO sandbox', rehearsal: 'REHEARSAL copy', plan: 'PLAN (dry run)' })[c.opts.mode];

/** The confirmation the key table gives an action: on a LIVE database the database name typed where it says so. */
export function confirmFor(c: ConsoleHost, action: ActionId, verb: string): Confirm {
  const how = bindingOf(action).confirm ?? { kind: 'button', typedOnLive: false };
  // The LIVE rule is the operations' own, so the run dialog confirms as `run` does in the CLI.
  const rule = confirmationFor(c.ctx.mode, how.typedOnLive, c.ctx.target().database);
  if (rule.kind === 'type-database-name') return { kind: 'type', verb, expected: rule.expected! };
  return how.kind === 'reason' ? { kind: 'reason', verb } : how.kind === 'y' ? { kind: 'y', verb } : { kind: 'button', verb };
}

const ORDER = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

/** The strongest lock of a migration on a table that exists (a table it creates is empty and unseen). */
function strongestLock(m: PlannedMigration): string {
  let best: { lock: string; relation: string; bytes: number | null; rows: number | null } | undefined;
  for (const s of m.statements) {
    const all = [...(s.lock && s.relation ? [{ lock: s.lock, relation: s.relation, bytes: s.relationBytes, rows: s.estimatedRows }] : []), ...s.alsoLocks.map((o) => ({ lock: o.lock, relation: o.relation, bytes: null, rows: null }))];
    for (const l of all) if (!best || ORDER.indexOf(l.lock) > ORDER.indexOf(best.lock)) best = l;
  }
  if (!best) return 'no table lock';
  const size = best.bytes !== null ? ` (${bytes(best.bytes)}${best.rows !== null ? `, ~${best.rows} rows` : ''})` : ' (new or empty)';
  return `${best.lock} on ${best.relation}${size}`;
}

const MAX_DETAILED = 8;

export async function runDialog(c: ConsoleHost, only: number | undefined): Promise<DialogSpec | null> {
  const todo = c.getState().migrations.items.filter((m) => m.state === 'pending' || m.state === 'rolled-back');
  const chosen = only ? todo.slice(0, only) : todo;
  if (!chosen.length) {
    c.say('nothing to apply: every migration is applied', 'info');
    return null;
  }
  c.setBusy('reading the plan: locks, table sizes, findings, blockers…');
  let plan: PlanResult | undefined;
  let planError: string | undefined;
  const blockers = new Map<string, Blocker[]>();
  try {
    const measured = c.lastSnapshot?.sizes.measuredAt;
    plan = await c.plans.get(statesKey(c.getState().migrations.items), measured ? Date.parse(measured) : undefined);
    for (const m of chosen.slice(0, MAX_DETAILED)) blockers.set(m.name, await c.risks.blockers(m.name, c.lastSnapshot, c.ownPids));
  } catch (err) {
    planError = (err as Error).message;
  } finally {
    c.setBusy(null);
  }
  const names = new Set(chosen.map((m) => m.name));
  const findings = (plan?.findings ?? []).filter((f) => names.has(f.migration) && f.severity !== 'info' && f.file !== 'down.sql');
  const errors = findings.filter((f) => f.severity === 'error');

  const t = c.ctx.target();
  const lines: string[] = [`Apply to ${t.display} (${modeWord(c)}), in this order:`];
  for (const m of chosen.slice(0, MAX_DETAILED)) {
    const p = plan?.migrations.find((x) => x.name === m.name);
    lines.push(`  · ${m.name}${m.estimate ? `  (guide: ${estimate(m.estimate)})` : ''}`);
    if (p) {
      const outside = p.statements.find((s) => !s.transactional);
      lines.push(`      ${p.atomic ? 'in one transaction' : `NOT in one transaction (line ${outside?.line}: ${outside?.kind} cannot run in one): a failure leaves what ran before it`}; strongest lock ${strongestLock(p)}`);
    }
    for (const f of findings.filter((x) => x.migration === m.name).slice(0, 4)) {
      lines.push(`      ${f.severity === 'error' ? '✗ error' : '! warning'}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}`);
    }
    for (const b of blockers.get(m.name) ?? []) {
      const h = b.holder;
      lines.push(`      ! blocked now by pid ${h.pid} (${h.application || 'no application name'}, ${h.state}${h.xactAgeMs !== null ? `, transaction open ${duration(h.xactAgeMs)}` : ''}): holds ${b.held.replace(/Lock$/, '')} on ${b.relation}; Locks pane, C or K`);
    }
  }
  if (chosen.length > MAX_DETAILED) {
    lines.push(`  · and ${chosen.length - MAX_DETAILED} more (\`plan\` lists them all)${findings.length ? `; ${findings.length} finding(s) in all` : ''}`);
    // Errors are listed wherever they are: they are what the second confirmation is about.
    const later = new Set(chosen.slice(MAX_DETAILED).map((m) => m.name));
    for (const f of errors.filter((x) => later.has(x.migration)).slice(0, 6)) lines.push(`      ✗ error in ${f.migration}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}`);
  }
  if (planError) lines.push(`! plan could not be read: ${planError}`);
  lines.push(describeLockPolicy(lockPolicy(c.opts)));
  if (c.opts.statementTimeoutMs) lines.push(`A statement that runs longer than ${duration(c.opts.statementTimeoutMs)} is cancelled.`);
  lines.push(...windowWarnings(c, chosen.map((m) => m.name)));
  lines.push(only ? 'Only this migration runs; the next ones stay pending.' : 'The run stops at the first failure; q stops it cleanly.');

  const action: ActionId = only ? 'run-next' : 'run-all';
  const start = () => c.startRun(chosen.map((m) => m.name));
  const second: DialogSpec | undefined = errors.length
    ? {
        title: `plan finds ${errors.length} error${errors.length === 1 ? '' : 's'}: run anyway?`,
        lines: [
          ...errors.slice(0, 6).map((f) => `✗ ${f.migration}${f.statement ? ` line ${f.statement}` : ''}: ${oneLine(f.message)}${f.fix ? ` (fix: ${oneLine(f.fix)})` : ''}`),
          'A migration with an error finding is likely to fail or to harm the application. Run it only if you know why plan is wrong.',
        ],
        confirm: { kind: 'y', verb: 'run it despite the errors' },
        onConfirm: start,
      }
    : undefined;
  return {
    title: only ? `Run ${chosen[0]!.name}?` : `Run ${chosen.length} pending migrations?`,
    lines,
    confirm: confirmFor(c, action, only ? 'Run it' : 'Run all'),
    onConfirm: start,
    next: second,
  };
}

/** The maintenance window's state, when the runbook rates a chosen migration Medium or High risk. */
function windowWarnings(c: ConsoleHost, names: string[]): string[] {
  const risky = (c.manifest?.migrations ?? []).filter((m) => names.includes(m.name) && m.risk !== 'Low');
  if (!risky.length) return [];
  const worst = risky.some((m) => m.risk === 'High') ? 'High' : 'Medium';
  const items = c.getState().checklist.items.filter((i) => (i.id === 'window.maintenance-mode' || i.id === 'window.background-jobs') && (i.status === 'fail' || i.status === 'warn'));
  return items.map((i) => `! ${i.title} is not done (${oneLine(i.evidence ?? '')}) and the runbook rates this run ${worst} risk${i.action ? `: a on the checklist item runs ${i.action}` : ''}.`);
}
