// What each action key does. Dangerous actions return a dialog that says exactly what will happen
// (default Cancel); the work starts only from the dialog's confirmation.
import type { ConsoleHost } from './host.js';
import type { ActionId } from './keys.js';
import type { Selection } from './model.js';
import type { DialogSpec } from './dialog.js';
import { bytes, duration } from './format.js';
import { EventStream } from '../operations/consoleReads.js';
import { runDialog } from './runDialog.js';
import type { Ask } from '../operations/confirm.js';
import { DEFAULTS } from '../defaults.js';

// The outcome of the DBA's own action: it stays on the message line until the next key.
const RESULT = { result: true };

export async function requestAction(c: ConsoleHost, action: ActionId, sel: Selection): Promise<DialogSpec | null> {
  switch (action) {
    case 'run-next':
    case 'run-all':
      return runDialog(c, action === 'run-next' ? 1 : undefined);
    // These return once their question is on the screen (or they ended without one), so that the
    // keys typed right after (a y, a reason) reach the dialog, not the panes.
    case 'skip':
      if (sel.migration) await skip(c, sel.migration.name);
      return null;
    case 'rollback':
      if (sel.migration) await rollback(c, sel.migration.name);
      return null;
    case 'cancel-query':
    case 'terminate':
      if (sel.lock) await kill(c, sel.lock.pid, action === 'terminate' ? 'terminate' : 'cancel');
      return null;
    case 'verify':
      void verify(c);
      return null;
    case 'confirm-item':
      if (sel.item) await confirmItem(c, sel.item.id);
      return null;
    case 'backup':
      void backup(c);
      return null;
    case 'performance':
      void (await import('./runbookAction.js')).performanceCheck(c);
      return null;
    case 'hold-limit':
      return lagLimitDialog(c);
    case 'run-action':
      return sel.item?.action ? (await import('./runbookAction.js')).runbookActionDialog(c, sel.item.action) : null;
    default:
      return null;
  }
}

/**
 * An operation started from a key: its questions open as dialogs (default Cancel), the busy line
 * shows once it is confirmed, any refusal goes to the message line, and the states and checklist
 * are read again afterwards.
 */
function operate(
  c: ConsoleHost,
  busy: string,
  work: (ask: Ask, events: EventStream) => Promise<string | undefined>,
): Promise<void> {
  const events = new EventStream();
  events.on((e) => c.events.emit(e));
  const { ask, asked } = askingOnScreen(c, busy);
  const done = (async () => {
    try {
      const said = await work(ask, events);
      if (said) c.say(said, 'ok', RESULT);
    } catch (err) {
      c.say((err as Error).message, 'error', RESULT);
    } finally {
      c.setBusy(null);
      await c.refreshStatus();
      void c.refreshChecklist({ sizes: true }); // a roll back changes the database's size
    }
  })();
  return Promise.race([asked, done]);
}

/** The console's questions, with the busy line once one is confirmed; `asked` settles when the first is on the screen. */
function askingOnScreen(c: ConsoleHost, busy: string): { ask: Ask; asked: Promise<void> } {
  let shown!: () => void;
  const asked = new Promise<void>((resolve) => (shown = resolve));
  const ask: Ask = async (q) => {
    const answer = c.ask(q); // the dialog opens now, before the answer comes
    shown();
    const a = await answer;
    if (a.confirmed) c.setBusy(busy);
    return a;
  };
  return { ask, asked };
}

function skip(c: ConsoleHost, name: string): Promise<void> {
  return operate(c, `skipping ${name}…`, async (ask, events) => {
    const { skipOperation } = await import('../operations/skip.js');
    await skipOperation(c.ctx, { name }, { ask, events });
    return undefined; // the engine's skip event says it on the message line
  });
}

function rollback(c: ConsoleHost, name: string): Promise<void> {
  return operate(c, `rolling back ${name}…`, async (ask, events) => {
    const { rollbackOperation } = await import('../operations/rollback.js');
    // The dialog lists the later migrations that stay applied: confirming it is the --force.
    const r = await rollbackOperation(c.ctx, { name, force: true }, { ask, events });
    return r.outcome === 'rolled-back' ? r.message : undefined;
  });
}

function kill(c: ConsoleHost, pid: number, how: 'cancel' | 'terminate'): Promise<void> {
  const { ask, asked } = askingOnScreen(
    c,
    `${how === 'cancel' ? 'cancelling the query of' : 'terminating'} session ${pid}…`,
  );
  const done = (async () => {
    const { killOperation } = await import('../operations/kill.js');
    try {
      // Its own session: the console's status session may be queued behind the very lock the DBA is ending.
      const ownPids = [...c.ownPids, ...(c.run?.enginePid ? [c.run.enginePid] : [])];
      const r = await killOperation(c.ctx, { pid, how, ownPids }, { ask });
      if (r.outcome === 'nothing-to-cancel') c.say(`${r.message} K terminates it.`, 'warn', RESULT);
      else if (r.outcome === 'signalled') c.say(r.message, r.ok ? 'ok' : 'error', RESULT);
    } catch (err) {
      c.say((err as Error).message, 'warn', RESULT);
    } finally {
      c.setBusy(null);
      await c.monitor?.refresh();
    }
  })();
  return Promise.race([asked, done]);
}

async function verify(c: ConsoleHost): Promise<void> {
  const db = c.statusDb;
  if (!db) return;
  c.setBusy('verifying the applied migrations and the integrity checks…');
  try {
    const { verifyOperation } = await import('../operations/verify.js');
    const r = await verifyOperation(c.ctx, {}, { db, manifest: c.manifest ?? null });
    const drift = r.schema.file === null ? [] : r.schema.drift.map((d) => `${r.schema.file}: ${d.message}`);
    const missing = [
      ...r.missing.map((m) => `${m.migration}: ${m.kind} ${m.name} ${m.problem ?? 'missing'}`),
      ...drift,
    ];
    c.lastVerification = {
      at: new Date(),
      checked: r.migrations.map((m) => m.name),
      missing,
      integrity: r.integrity.status,
      findings: r.integrity.findings,
    };
    const compared =
      r.schema.file !== null
        ? `; the database matches ${r.schema.file}`
        : c.manifest
          ? ''
          : ' (no runbook manifest, no schema.prisma: integrity checks only)';
    if (missing.length)
      c.say(
        `verify: ${missing.length} ${drift.length ? 'difference(s) from the schema or missing change(s)' : 'expected change(s) missing'}: ${missing[0]}${missing.length > 1 ? ' …' : ''} (Enter on the Disk pane for all)`,
        'error',
      );
    else
      c.say(
        `verify: ${r.migrations.length} applied migration(s) have all their expected changes${compared}; integrity ${r.integrity.status}${r.integrity.findings.length ? `: ${r.integrity.findings[0]}` : ''}`,
        r.integrity.status === 'pass' ? 'ok' : 'warn',
      );
  } catch (err) {
    c.say(`verify: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
  }
}

async function confirmItem(c: ConsoleHost, id: string): Promise<void> {
  try {
    const { confirmItemOperation } = await import('../operations/check.js');
    const r = await confirmItemOperation(c.ctx, id);
    c.say(`${r.title}: confirmed by ${r.confirmedBy} (recorded in the journal)`, 'ok');
  } catch (err) {
    c.say((err as Error).message, 'error');
  }
  await c.refreshChecklist();
}

async function backup(c: ConsoleHost): Promise<void> {
  c.setBusy('backup: starting pg_dump…');
  try {
    const { backupOperation } = await import('../operations/backup.js');
    const { backup: r } = await backupOperation(
      c.ctx,
      { backupDir: c.opts.backupDir ?? DEFAULTS.backupDir },
      {
        onProgress: (p) =>
          c.setBusy(
            `backup: ${bytes(p.bytesWritten)} written (database ${bytes(p.databaseBytes)}), ${duration(p.elapsedMs)}`,
          ),
        onPhase: (phase) => c.setBusy(`backup: ${phase}…`),
      },
    );
    c.say(
      `backup ${r.verified ? 'verified' : 'NOT verified'}: ${r.path} ${bytes(r.bytes)} sha256 ${r.sha256.slice(0, 12)}…`,
      r.verified ? 'ok' : 'error',
    );
  } catch (err) {
    c.say(`backup failed: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
    await c.refreshChecklist();
  }
}

/** L: the running run's replay-lag limit, typed; the run's next check uses it. */
async function lagLimitDialog(c: ConsoleHost): Promise<DialogSpec | null> {
  const limits = c.run?.limits;
  if (!limits) return null;
  const { changeLagLimit, lagLimitWords } = await import('../operations/hold.js');
  const now = lagLimitWords(limits) ?? 'none';
  return {
    title: 'Replay-lag limit for this run',
    lines: [
      `Now: ${now}. The run holds before its next migration, statement or batch while a standby is further behind.`,
      'Type a duration (5s, 500ms, 2min) or a size of WAL (64MB). It holds for this run only, and is journalled.',
    ],
    confirm: { kind: 'value', verb: 'set it', what: 'the new limit' },
    onConfirm: (text) => {
      changeLagLimit(c.ctx, limits, text).then(
        (said) => {
          c.say(said, 'ok', RESULT);
          c.update((s) => ({ ...s, migrations: { ...s.migrations, lagLimit: lagLimitWords(limits) } }));
        },
        (err: Error) => c.say(err.message, 'error', RESULT),
      );
    },
  };
}
