// What each action key does. Dangerous actions return a dialog that says exactly what will happen
// (default Cancel); the work starts only from the dialog's confirmation.
import type { ConsoleHost } from './host.js';
import type { ActionId } from './keys.js';
import type { Selection } from './model.js';
import type { Confirm, DialogSpec } from './dialog.js';
import { estimate, oneLine, bytes, duration } from './format.js';
import { EventStream } from '../engine/events.js';
import { confirmFor, runDialog } from './runDialog.js';


export async function requestAction(c: ConsoleHost, action: ActionId, sel: Selection): Promise<DialogSpec | null> {
  switch (action) {
    case 'run-next':
    case 'run-all':
      return runDialog(c, action === 'run-next' ? 1 : undefined);
    case 'skip':
      return sel.migration ? skipDialog(c, sel.migration.name) : null;
    case 'rollback':
      return sel.migration ? rollbackDialog(c, sel.migration.name) : null;
    case 'cancel-query':
    case 'terminate':
      return sel.lock ? killDialog(c, sel.lock.pid, action === 'terminate' ? 'terminate' : 'cancel') : null;
    case 'verify':
      void verify(c);
      return null;
    case 'confirm-item':
      if (sel.item) await confirmItem(c, sel.item.id, sel.item.title);
      return null;
    case 'backup':
      void backup(c);
      return null;
    case 'performance':
      void (await import('./runbookAction.js')).performanceCheck(c);
      return null;
    case 'run-action':
      return sel.item?.action ? (await import('./runbookAction.js')).runbookActionDialog(c, sel.item.action) : null;
    default:
      return null;
  }
}

function skipDialog(c: ConsoleHost, name: string): DialogSpec {
  return {
    title: `Skip ${name}?`,
    lines: [
      `Mark ${name} applied WITHOUT running its SQL (what prisma migrate resolve --applied does).`,
      'Do this only when its changes are already in the database (made by hand) or must never be made.',
      'The reason is kept in the journal for the post-mortem.',
    ],
    confirm: confirmFor(c, 'skip', 'skip it'),
    onConfirm: (reason) => {
      void bookkeeping(c, `skipping ${name}…`, async (events) => {
        const { skipMigration } = await import('../engine/resolve.js');
        await skipMigration({ target: c.ctx.target(), folder: c.folder!, name, reason, events, directUrlVariable: c.ctx.project().directUrlVariable });
      });
    },
  };
}

/**
 * A skip or rollback from the console: busy meanwhile, its events shown and journalled, any
 * refusal on the message line, the states and checklist read again afterwards.
 */
async function bookkeeping(c: ConsoleHost, busy: string, work: (events: EventStream) => Promise<void>): Promise<void> {
  c.setBusy(busy);
  const events = new EventStream();
  events.on((e) => c.events.emit(e));
  const { attachRecorders } = await import('../operations/attach.js');
  const detach = attachRecorders(c.ctx, events);
  try {
    await work(events);
  } catch (err) {
    c.say((err as Error).message, 'error');
  } finally {
    detach();
    c.setBusy(null);
    await c.refreshStatus();
    void c.refreshChecklist();
  }
}

async function rollbackDialog(c: ConsoleHost, name: string): Promise<DialogSpec | null> {
  const { planRollback } = await import('../engine/resolve.js');
  let plan: Awaited<ReturnType<typeof planRollback>>;
  try {
    plan = await planRollback(c.ctx.target(), c.folder!, name);
  } catch (err) {
    c.say((err as Error).message, 'error');
    return null;
  }
  const lines: string[] = [];
  if (plan.kind === 'down-sql') {
    const first = oneLine(plan.downSql ?? '').slice(0, 200);
    lines.push(`Run down.sql of ${name} and delete its rows from _prisma_migrations, in one transaction.`);
    lines.push(`down.sql: ${first}${(plan.downSql ?? '').length > 200 ? ' …' : ''}`);
    lines.push('Afterwards it is pending again: the next run applies it again. Its rows go to the journal first.');
  } else {
    lines.push(`Record the failed ${name} as rolled back (what prisma migrate resolve --rolled-back does).`);
    lines.push('Nothing else is executed: undo by hand anything a non-atomic migration left. The next run applies it again.');
  }
  if (plan.laterApplied.length) lines.push(`! Later migrations stay applied: ${plan.laterApplied.join(', ')}.`);
  return {
    title: `Roll back ${name}?`,
    lines,
    confirm: confirmFor(c, 'rollback', 'roll it back'),
    onConfirm: () => {
      void bookkeeping(c, `rolling back ${name}…`, async (events) => {
        const { rollbackMigration } = await import('../engine/resolve.js');
        await rollbackMigration({ target: c.ctx.target(), folder: c.folder!, name, events, force: plan.laterApplied.length > 0, directUrlVariable: c.ctx.project().directUrlVariable });
        c.say(plan.kind === 'down-sql' ? `${name} rolled back: down.sql ran and its record is removed; it is pending again` : `${name} marked rolled back; the next run applies it again`, 'ok');
      });
    },
  };
}

async function killDialog(c: ConsoleHost, pid: number, how: 'cancel' | 'terminate'): Promise<DialogSpec | null> {
  const db = c.statusDb;
  if (!db) return null;
  const { findBackend, refusal, nothingToCancel, signalBackend } = await import('../monitor/signal.js');
  const backend = await findBackend(db, pid);
  const ownPids = c.run?.enginePid ? [c.run.enginePid] : [];
  const why = refusal(pid, backend, c.ctx.target().database, ownPids) ?? (how === 'cancel' && backend ? nothingToCancel(backend) : undefined);
  if (why || !backend) {
    c.say((why ?? `session ${pid} is gone`).replace('Use --terminate', 'Press K'), 'warn');
    return null;
  }
  const what = how === 'cancel'
    ? 'pg_cancel_backend: its running query is cancelled; the session stays connected.'
    : 'pg_terminate_backend: the session ends, its open transaction is rolled back and its locks are released.';
  return {
    title: `${how === 'cancel' ? 'Cancel the query of' : 'Terminate'} session ${pid}?`,
    lines: [
      `pid ${pid}  user ${backend.user}  application ${backend.application || '(none)'}  ${backend.clientAddr ?? 'local socket'}`,
      `state: ${backend.state}${backend.xactAgeMs !== null ? `, transaction open ${duration(backend.xactAgeMs)}` : ''}`,
      `query: ${oneLine(backend.query).slice(0, 300)}`,
      what,
    ],
    confirm: how === 'terminate' ? confirmFor(c, 'terminate', 'terminate it') : confirmFor(c, 'cancel-query', 'Cancel its query'),
    onConfirm: () => {
      void (async () => {
        c.setBusy(`${how === 'cancel' ? 'cancelling the query of' : 'terminating'} session ${pid}…`);
        const end = c.ctx.journal().begin('kill', { pid, how, user: backend.user, application: backend.application, state: backend.state, query: backend.query });
        try {
          const out = await signalBackend(db, backend, how);
          end({ result: out.result, ok: out.ok, message: out.message });
          c.say(out.message, out.ok ? 'ok' : 'error');
          void import('./runbookAction.js').then(({ notifyTeam }) => notifyTeam(c, { event: 'kill', migration: null, outcome: out.ok ? 'done' : 'failed', pid, how, application: backend.application }));
        } catch (err) {
          end({ ok: false, error: (err as Error).message });
          c.say((err as Error).message, 'error');
        } finally {
          c.setBusy(null);
          await c.monitor?.refresh();
        }
      })();
    },
  };
}

async function verify(c: ConsoleHost): Promise<void> {
  const db = c.statusDb;
  if (!db || !c.folder) return;
  c.setBusy('verifying the applied migrations and the integrity checks…');
  const end = c.ctx.journal().begin('verify', { migration: null, from: 'console' });
  try {
    const { checkExpected } = await import('../safety/verify.js');
    const { integrityChecks } = await import('../safety/integrity.js');
    const applied = new Set(c.getState().migrations.items.filter((m) => m.state === 'applied').map((m) => m.name));
    const chosen = (c.manifest?.migrations ?? []).filter((m) => applied.has(m.name));
    const missing: string[] = [];
    for (const m of chosen) {
      for (const i of await checkExpected(db, m.expected)) if (i.status === 'fail') missing.push(`${m.name}: ${i.kind} ${i.name} ${i.problem ?? 'missing'}`);
    }
    const integrity = await integrityChecks(db);
    c.lastVerification = { at: new Date(), checked: chosen.map((m) => m.name), missing, integrity: integrity.status, findings: integrity.findings };
    end({ ok: missing.length === 0 && integrity.status !== 'fail', missing, integrity: integrity.status, findings: integrity.findings });
    const manifestNote = c.manifest ? '' : ' (no runbook manifest: integrity checks only)';
    if (missing.length) c.say(`verify: ${missing.length} expected change(s) missing: ${missing[0]}${missing.length > 1 ? ' …' : ''} (Enter on the Disk pane for all)`, 'error');
    else c.say(`verify: ${chosen.length} applied migration(s) have all their expected changes; integrity ${integrity.status}${integrity.findings.length ? `: ${integrity.findings[0]}` : ''}${manifestNote}`, integrity.status === 'pass' ? 'ok' : 'warn');
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    c.say(`verify: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
  }
}

async function confirmItem(c: ConsoleHost, id: string, title: string): Promise<void> {
  const { CONFIRM_ACTION } = await import('../safety/checklist.js');
  const journal = c.ctx.journal();
  journal.event(CONFIRM_ACTION, { id, title });
  c.say(`${title}: confirmed by ${journal.who} (recorded in the journal)`, 'ok');
  await c.refreshChecklist();
}

async function backup(c: ConsoleHost): Promise<void> {
  c.setBusy('backup: starting pg_dump…');
  const dir = c.opts.backupDir ?? './backups';
  const end = c.ctx.journal().begin('backup', { backupDir: dir, from: 'console' });
  try {
    const { createBackup } = await import('../safety/backup.js');
    const r = await createBackup(c.ctx.target(), {
      backupDir: dir,
      onProgress: (p) => c.setBusy(`backup: ${bytes(p.bytesWritten)} written (database ${bytes(p.databaseBytes)}), ${duration(p.elapsedMs)}`),
      onPhase: (phase) => c.setBusy(`backup: ${phase}…`),
    });
    end({ path: r.path, bytes: r.bytes, sha256: r.sha256, verified: r.verified, durationMs: r.durationMs });
    void import('./runbookAction.js').then(({ notifyTeam }) => notifyTeam(c, { event: 'backup.finished', migration: null, outcome: r.verified ? 'ok' : 'failed', durationMs: r.durationMs, file: r.path, sha256: r.sha256 }));
    c.say(`backup ${r.verified ? 'verified' : 'NOT verified'}: ${r.path} ${bytes(r.bytes)} sha256 ${r.sha256.slice(0, 12)}…`, r.verified ? 'ok' : 'error');
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    c.say(`backup failed: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
    await c.refreshChecklist();
  }
}
