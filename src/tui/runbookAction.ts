// The console's `a` on a checklist item that a runbook action proves (maintenance mode, workers,
// restarts, smoke tests): a dialog naming the exact command, then the action with its check, its
// last output line on the busy line, its outcome on the message line, the checklist read again.
import type { ConsoleHost } from './host.js';
import type { DialogSpec } from './dialog.js';
import { duration, oneLine } from './format.js';

export function runbookActionDialog(c: ConsoleHost, name: string): DialogSpec | null {
  const a = c.manifest?.actions.find((x) => x.name === name);
  if (!a) {
    c.say(`no action ${name} in the runbook`, 'warn');
    return null;
  }
  const command = typeof a.command === 'string' ? a.command : a.command.join(' ');
  return {
    title: `Run the action ${name}?`,
    lines: [
      `${a.title}: runs on this machine: ${command}`,
      a.check
        ? `Then checks ${a.check.label} (application_name ${a.check.application.join(', ')}) in pg_stat_activity.`
        : 'Its exit code and output are journalled.',
      `Stopped with its whole process group after ${duration(a.timeoutMs)}.`,
    ],
    confirm: { kind: 'button', verb: `Run ${name}` },
    onConfirm: () => void run(c, name),
  };
}

async function run(c: ConsoleHost, name: string): Promise<void> {
  const a = c.manifest?.actions.find((x) => x.name === name);
  if (!a) return;
  c.setBusy(`${name}: running…`);
  try {
    const { runAction } = await import('../safety/actions.js');
    const path = await import('node:path');
    const runbook = c.ctx.runbookFile();
    const r = await runAction({
      action: a,
      target: c.ctx.target(),
      connection: c.ctx.target(),
      journal: await c.ctx.journal(),
      baseDir: runbook ? path.dirname(runbook) : undefined,
      onOutput: (text) => {
        const last = text.trim().split('\n').at(-1);
        if (last) c.setBusy(`${name}: ${oneLine(last)}`);
      },
    });
    notifyTeam(c, {
      event: 'action.finished',
      migration: null,
      outcome: r.outcome,
      durationMs: r.durationMs,
      action: name,
      ...(r.error ? { error: { code: r.outcome, message: r.error } } : {}),
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
    const { performanceReport } = await import('../safety/performance.js');
    const { PERFORMANCE_JOURNAL } = await import('../safety/journalItems.js');
    const { readJournalFile } = await import('../journal/read.js');
    const journal = await c.ctx.journal();
    const applied = new Set(
      c
        .getState()
        .migrations.items.filter((m) => m.state === 'applied')
        .map((m) => m.name),
    );
    const r = await performanceReport(
      db,
      readJournalFile(journal.file, { statements: 'index-builds' }).lines,
      c.folder.migrations.filter((m) => applied.has(m.name)),
    );
    journal.event(PERFORMANCE_JOURNAL, {
      tables: r.tables.map(({ schema, table, totalBytes }) => ({ schema, table, totalBytes })),
      indexes: r.indexes,
      invalid: r.invalid,
      unused: r.unused,
      statements: r.statements.available ? r.statements.rows.length : r.statements.reason,
      from: 'console',
    });
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

/** Tells the team (--notify, CITADEL_NOTIFY_URL, notify:) about a console kill, backup or action, in the background. */
export function notifyTeam(c: ConsoleHost, fields: import('../notify/notify.js').EventFields): void {
  void import('../notify/forWorkspace.js')
    .then(({ notifierFor }) => notifierFor(c.ctx))
    .then((n) => n.send(fields))
    .catch(() => undefined);
}
