// The console's `a` on a checklist item that a runbook action proves (maintenance mode, workers,
// restarts, smoke tests): a dialog naming the exact command, then the action with its check, its
// last output line on the busy line, its outcome on the message line, the checklist read again.
import type { ConsoleHost } from './host.js';
import { confirmOf, type DialogSpec } from './dialog.js';
import { duration, oneLine } from './format.js';

/** The action's own question (operations/action.ts), as a dialog; confirming runs exactly what it names. */
export async function runbookActionDialog(c: ConsoleHost, name: string): Promise<DialogSpec | null> {
  const { prepareAction } = await import('../operations/action.js');
  let plan: Awaited<ReturnType<typeof prepareAction>>;
  try {
    plan = await prepareAction(c.ctx, { name }, { manifest: c.manifest });
  } catch (err) {
    c.say((err as Error).message, 'warn');
    return null;
  }
  const q = plan.question;
  return { title: q.title, lines: q.lines, confirm: confirmOf(q), onConfirm: () => void run(c, plan) };
}

async function run(c: ConsoleHost, plan: import('../operations/action.js').ActionPlan): Promise<void> {
  const { name } = plan;
  c.setBusy(`${name}: running…`);
  try {
    const { executeAction } = await import('../operations/action.js');
    const r = await executeAction(c.ctx, plan, {
      onOutput: (text) => {
        const last = text.trim().split('\n').at(-1);
        if (last) c.setBusy(`${name}: ${oneLine(last)}`);
      },
    });
    if (r.outcome === 'ok')
      c.say(`${name} done in ${duration(r.durationMs)}${r.check ? `: ${r.check.evidence}` : ''}`, 'ok');
    else c.say(r.error ?? `${name} ${r.outcome}`, 'error');
  } catch (err) {
    c.say(`${name}: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
    await c.refreshChecklist();
  }
}

/** P: the guide's Performance Validation, summed up on the message line and journalled like `verify --performance`. */
export async function performanceCheck(c: ConsoleHost): Promise<void> {
  const db = c.statusDb;
  if (!db || !c.folder) return;
  c.setBusy('performance validation: tables, new indexes, slow statements…');
  try {
    const { executePerformance } = await import('../operations/performance.js');
    const applied = c
      .getState()
      .migrations.items.filter((m) => m.state === 'applied')
      .map((m) => m.name);
    // The operation journals the figures (the next run's verification compares with them), once.
    const r = await executePerformance(c.ctx, { applied }, { db, from: 'console' });
    const top = r.tables[0];
    const parts = [
      `performance: ${r.tables.length} largest tables${top ? ` (top ${top.schema}.${top.table})` : ''}`,
      `${r.indexes.length} new index(es)${r.invalid.length ? `, INVALID: ${r.invalid.join(', ')}` : ''}${r.unused.length ? `, unused: ${r.unused.length}` : ''}`,
      r.statements.available ? `${r.statements.rows.length} slowest statements` : 'pg_stat_statements not installed',
    ];
    c.say(
      `${parts.join('; ')} (verify --performance for the full report)`,
      r.invalid.length ? 'error' : r.unused.length ? 'warn' : 'ok',
    );
  } catch (err) {
    c.say(`performance: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
    await c.refreshChecklist();
  }
}
