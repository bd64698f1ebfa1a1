import type { EngineEvent } from '../engine/events.js';
import { redact } from '../postgres/secrets.js';

/**
 * The human listener of the engine's events: a live progress line per migration on a terminal,
 * plain lines otherwise (logs, CI, a pipe). Writes to stderr so stdout stays clean.
 */
export function progressPrinter(tty: boolean): (e: EngineEvent) => void {
  const out = (s: string) => process.stderr.write(redact(s));
  let current = '';
  let started = 0;
  let live = false;
  const clearLive = () => {
    if (live) out('\r\x1b[2K');
    live = false;
  };
  return (e) => {
    switch (e.type) {
      case 'lock-busy':
        out(e.waiting ? `waiting for Prisma's advisory lock held by pid ${e.holder?.pid ?? '?'} (${e.holder?.application ?? ''})…\n` : '');
        break;
      case 'run-start':
        out(e.pending.length ? `${e.mode === 'rehearsal' ? 'rehearsal: ' : ''}${e.pending.length} migration(s) to apply\n${e.lockPolicy ? `${e.lockPolicy}\n` : ''}` : 'nothing to apply: every migration is applied\n');
        break;
      case 'migration-start':
        current = e.name;
        started = Date.now();
        out(tty ? '' : `▶ ${e.name} (${e.statements} statements${e.atomic ? '' : ', not atomic'})\n`);
        break;
      case 'statement-start':
        if (tty) {
          const pct = Math.floor(((e.index - 1) / e.count) * 100);
          const sql = e.sql.replace(/\s+/g, ' ').slice(0, 40);
          out(`\r\x1b[2K▶ ${current}  ${e.index}/${e.count} ${pct}%  ${((Date.now() - started) / 1000).toFixed(1)}s  ${sql}`);
          live = true;
        }
        break;
      case 'lock-wait':
        clearLive();
        out(`  … statement ${e.index} waits for a lock held by pid ${e.blockingPids.join(', ')} (${(e.waitedMs / 1000).toFixed(1)}s)\n`);
        break;
      case 'victims':
        clearLive();
        out(`  … ${e.victims} session(s) queued behind statement ${e.index}, longest ${(e.longestWaitMs / 1000).toFixed(1)}s\n`);
        break;
      case 'retry':
        clearLive();
        out(`  ↻ retry ${e.attempt}${e.of !== null ? `/${e.of}` : ''} of statement ${e.index} after ${e.reason === 'lock-timeout' ? 'a lock timeout' : 'too many queued sessions'}${e.blockingPids.length ? ` (blocked by pid ${e.blockingPids.join(', ')})` : ''}${e.pauseMs !== undefined ? ` in ${e.pauseMs} ms` : ''}\n`);
        break;
      case 'migration-end':
        clearLive();
        if (e.outcome === 'applied') out(`✓ ${e.name}  ${(e.durationMs / 1000).toFixed(1)}s\n`);
        else {
          out(`${e.outcome === 'interrupted' ? '■' : '✗'} ${e.name}  ${e.outcome}: ${e.error?.message ?? ''}\n`);
          if (e.error?.statement) out(`  at migration.sql line ${e.error.position}: ${e.error.statement.slice(0, 200)}\n`);
          if (e.error?.hint) out(`  hint: ${e.error.hint}\n`);
        }
        break;
      case 'run-end':
        clearLive();
        break;
    }
  };
}
