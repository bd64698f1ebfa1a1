// The console's `a` on a checklist item that a runbook action proves (maintenance mode, workers,
// restarts, smoke tests): a dialog naming the exact command, then the action with its check, its
// last output line on the busy line, its outcome on the message line, the checklist read again.
import type { ConsoleController } from './controller.js';
import type { DialogSpec } from './dialog.js';
import { duration, oneLine } from './format.js';

export function runbookActionDialog(c: ConsoleController, name: string): DialogSpec | null {
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
      a.check ? `Then checks ${a.check.label} (application_name ${a.check.application.join(', ')}) in pg_stat_activity.` : 'Its exit code and output are journalled.',
      `Stopped with its whole process group after ${duration(a.timeoutMs)}.`,
    ],
    confirm: { kind: 'button', verb: `Run ${name}` },
    onConfirm: () => void run(c, name),
  };
}

async function run(c: ConsoleController, name: string): Promise<void> {
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
      journal: c.ctx.journal(),
      baseDir: runbook ? path.dirname(runbook) : undefined,
      onOutput: (text) => {
        const last = text.trim().split('\n').at(-1);
        if (last) c.setBusy(`${name}: ${oneLine(last)}`);
      },
    });
    if (r.outcome === 'ok') c.say(`${name} done in ${duration(r.durationMs)}${r.check ? `: ${r.check.evidence}` : ''}`, 'ok');
    else c.say(r.error ?? `${name} ${r.outcome}`, 'error');
  } catch (err) {
    c.say(`${name}: ${(err as Error).message}`, 'error');
  } finally {
    c.setBusy(null);
    await c.refreshChecklist();
  }
}
