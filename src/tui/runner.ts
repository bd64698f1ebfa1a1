// A run started from the console: in the background, its progress arriving as engine events on
// the controller's stream, journalled like `run`, stoppable through its AbortSignal.
import type { ConsoleHost } from './host.js';
import type { RunResult } from '../operations/types.js';

/** Runs exactly the named migrations (the ones the DBA confirmed), in order. */
export function startRun(c: ConsoleHost, names: string[]): void {
  if (c.run) return;
  const abort = new AbortController();
  // always an object: the run fills in the runbook's maxLag, and L changes it while the run goes
  const limits = { ...(c.opts.holdLimits ?? {}) };
  const run: NonNullable<ConsoleHost['run']> = { abort, done: Promise.resolve(), limits };
  c.run = run;
  c.update((s) => ({ ...s, migrations: { ...s.migrations, running: true } }));
  run.done = (async () => {
    const { runOperation } = await import('../operations/run.js');
    try {
      // Confirmed already, in the run dialog (with the plan's findings and the blockers).
      const r = await runOperation(
        c.ctx,
        {
          names,
          lockTimeoutMs: c.opts.lockTimeoutMs,
          lockRetries: c.opts.lockRetries,
          lockWaitLimitMs: c.opts.lockWaitLimitMs,
          statementTimeoutMs: c.opts.statementTimeoutMs,
          signal: abort.signal,
          limits,
        },
        { ask: null, events: c.events },
      );
      if (r.outcome === 'declined') return;
      const said = summary(r);
      if (said) c.say(said.text, said.level);
    } catch (err) {
      c.say((err as Error).message, 'error');
    } finally {
      c.endRun();
      c.update((s) => ({ ...s, migrations: { ...s.migrations, lagLimit: null } }));
      // Stopped for a quit (the only way a run is aborted): the console closes once the run has
      // stopped, and nobody would see the states read again; the quit would wait for them.
      if (!abort.signal.aborted) {
        await c.refreshStatus();
        void c.refreshChecklist({ sizes: true }); // pending count, database size
      }
    }
  })();
}

/**
 * The safe form of exactly these migrations (the next pending ones, as `run --rewrite --to` the last),
 * confirmed in the run dialog: each step said on the message line, the states read again at the end.
 */
export function startRewriteRun(c: ConsoleHost, names: string[]): void {
  if (c.run || !names.length) return;
  const abort = new AbortController();
  const limits = { ...(c.opts.holdLimits ?? {}) };
  const run: NonNullable<ConsoleHost['run']> = { abort, done: Promise.resolve(), limits };
  c.run = run;
  c.update((s) => ({ ...s, migrations: { ...s.migrations, running: true } }));
  run.done = (async () => {
    const { runRewriteOperation } = await import('../operations/rewrite.js');
    const { rewriteProgressLine } = await import('../operations/rewriteProgressWords.js');
    try {
      const r = await runRewriteOperation(
        c.ctx,
        { to: names.at(-1), signal: abort.signal, limits },
        {
          ask: null,
          onEvent: (e) => {
            const line = rewriteProgressLine(e);
            if (line) c.say(line.trim(), e.type === 'migration-end' && e.outcome !== 'applied' ? 'warn' : 'info');
          },
        },
      );
      const applied = r.migrations.filter((m) => m.outcome === 'applied').length;
      if (r.outcome === 'ok')
        c.say(`applied the safe form of ${applied === 1 ? names[0] : `${applied} migrations`}`, 'ok', {
          result: true,
        });
      else if (r.outcome === 'interrupted')
        c.say(`safe form stopped between steps (${applied} applied); run it again to resume`, 'warn');
      else if (r.outcome === 'failed') {
        const m = r.migrations.find((x) => x.outcome === 'failed');
        c.say(`${m?.name} stopped at step ${m?.error?.step}: ${m?.error?.message}`, 'error', { result: true });
      }
    } catch (err) {
      c.say((err as Error).message, 'error');
    } finally {
      c.endRun();
      if (!abort.signal.aborted) {
        await c.refreshStatus();
        void c.refreshChecklist({ sizes: true });
      }
    }
  })();
}

function summary(r: RunResult): { text: string; level: 'ok' | 'warn' | 'info' } | undefined {
  const applied = r.migrations.filter((m) => m.outcome === 'applied').map((m) => m.name);
  if (r.outcome === 'ok')
    return {
      text: `applied ${applied.length === 1 ? applied[0] : `${applied.length} migrations`} in ${(r.durationMs / 1000).toFixed(1)}s`,
      level: 'ok',
    };
  if (r.outcome === 'interrupted')
    return {
      text: `run stopped: the running migration was rolled back and is pending again (${applied.length} applied)`,
      level: 'warn',
    };
  if (r.outcome === 'nothing-to-do') return { text: 'nothing to apply: every migration is applied', level: 'info' };
  return undefined; // a failure was said by its migration-end event, with its hint
}
