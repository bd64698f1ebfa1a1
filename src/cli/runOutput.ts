import { retryReason, type EngineEvent, type RehearsedDuration } from '../operations/events.js';
import { redact } from '../operations/secrets.js';
import { liveLine, wrapWords } from './fitLine.js';
import { formatEta } from '../format.js';

/** Without a terminal, a waiting or building statement gets a line at most this often. */
const PLAIN_EVERY_MS = 5000;
/** On a terminal, the live line is redrawn this often (the elapsed time ticks). */
const TICK_MS = 250;
/** A statement running this long shows the rehearsal's ETA on the live line. */
const LONG_MS = 1000;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The human listener of the engine's events: a live progress line per migration on a terminal
 * (elapsed time ticking, the index build's phase and percent), plain lines otherwise (logs, CI, a
 * pipe), where progress is rate-limited. Writes to stderr so stdout stays clean.
 */
export function progressPrinter(
  tty: boolean,
  columns: () => number = () => process.stderr.columns || 80,
  rehearsed?: Map<string, RehearsedDuration>,
): (e: EngineEvent) => void {
  const out = (s: string) => process.stderr.write(redact(s));
  let current = '';
  let live = false;
  let ticker: NodeJS.Timeout | undefined;
  // The statement running now, as far as the events tell.
  let stmt:
    | {
        index: number;
        count: number;
        sql: string;
        startedAt: number;
        build?: string;
        wait?: string;
        queue?: string;
        retry?: string;
      }
    | undefined;
  // On a terminal, retries show on the live line and are counted on the migration's summary line.
  let retries = 0;
  // Non-terminal: when the last progress line of each kind was printed for the running statement.
  const lastLine = new Map<string, number>();
  /**
   * What `rehearse --with-data` measured for the running statement, less the time it has run: the
   * best ETA there is (it ran on the same rows), preferred to one from the rate observed now.
   */
  const rehearsalEta = (): string | undefined => {
    const ms = stmt ? rehearsed?.get(current)?.statementMs?.[stmt.index - 1] : undefined;
    if (ms === undefined || ms === null || !stmt) return undefined;
    const left = ms - (Date.now() - stmt.startedAt);
    return left > 0 ? `ETA ${formatEta(left)} from the rehearsal` : `over the rehearsal's ${formatEta(ms)}`;
  };
  const clearLive = () => {
    if (live) out('\r\x1b[2K');
    live = false;
  };
  const draw = () => {
    if (!tty || !stmt) return;
    const pct = Math.floor(((stmt.index - 1) / stmt.count) * 100);
    const sql = stmt.sql.replace(/\s+/g, ' ').trim();
    const long = Date.now() - stmt.startedAt >= LONG_MS;
    const extra = [stmt.wait ?? stmt.build, long && !stmt.wait ? rehearsalEta() : undefined, stmt.queue, stmt.retry]
      .filter(Boolean)
      .join('  ');
    out(
      `\r\x1b[2K${liveLine(current, `${stmt.index}/${stmt.count} ${pct}%  ${secs(Date.now() - stmt.startedAt)}`, extra, sql, columns())}`,
    );
    live = true;
  };
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  /** Non-terminal lines of one kind at most every PLAIN_EVERY_MS per statement. */
  const plainDue = (kind: string) => {
    const t = Date.now();
    if (t - (lastLine.get(kind) ?? 0) < PLAIN_EVERY_MS) return false;
    lastLine.set(kind, t);
    return true;
  };
  return (e) => {
    switch (e.type) {
      case 'lock-busy':
        out(
          e.waiting
            ? `waiting for Prisma's advisory lock held by pid ${e.holder?.pid ?? '?'} (${e.holder?.application ?? ''})…\n`
            : '',
        );
        break;
      case 'run-start': {
        // On a terminal the policy wraps at words (the terminal itself would cut words in two).
        const policy = e.lockPolicy
          ? `${(tty ? wrapWords(e.lockPolicy, columns()) : [e.lockPolicy]).join('\n')}\n`
          : '';
        out(
          e.pending.length
            ? `${e.mode === 'rehearsal' ? 'rehearsal: ' : ''}${plural(e.pending.length, 'migration')} to apply\n${policy}${e.statementTimeout ? `${e.statementTimeout}\n` : ''}${e.hold ? `${e.hold}\n` : ''}`
            : 'nothing to apply: every migration is applied\n',
        );
        break;
      }
      case 'migration-start':
        current = e.name;
        retries = 0;
        out(tty ? '' : `▶ ${e.name} (${plural(e.statements, 'statement')}${e.atomic ? '' : ', not atomic'})\n`);
        break;
      case 'statement-start':
        stmt = { index: e.index, count: e.count, sql: e.sql, startedAt: Date.now() };
        lastLine.clear();
        if (tty) {
          draw();
          if (!ticker) {
            ticker = setInterval(draw, TICK_MS);
            ticker.unref();
          }
        }
        break;
      case 'statement-end':
        if (stmt?.index === e.index)
          stmt = { ...stmt, wait: undefined, build: undefined, queue: undefined, retry: undefined };
        break;
      case 'index-progress': {
        const fromRehearsal = rehearsalEta();
        const eta = fromRehearsal ? '' : e.etaMs ? `, ETA ${formatEta(e.etaMs)} from the observed rate` : '';
        const build = `${e.phase}${e.percent !== null ? ` ${Math.floor(e.percent)}%` : ''}${eta}`;
        if (stmt) stmt.build = build;
        if (tty) draw();
        else if (plainDue('build'))
          out(`  … statement ${e.index}: ${build}${fromRehearsal ? `, ${fromRehearsal}` : ''}\n`);
        break;
      }
      case 'lock-wait':
        if (stmt) stmt.wait = `waits for pid ${e.blockingPids.join(', ')}`;
        if (tty) draw();
        else if (plainDue('wait'))
          out(
            `  … statement ${e.index} waits for a lock held by pid ${e.blockingPids.join(', ')} (${secs(e.waitedMs)})\n`,
          );
        break;
      case 'victims':
        if (tty) {
          if (stmt) stmt.queue = `${plural(e.victims, 'session')} queued, longest ${secs(e.longestWaitMs)}`;
          draw();
        } else if (plainDue('victims')) {
          clearLive();
          out(
            `  … ${plural(e.victims, 'session')} queued behind statement ${e.index}, longest ${secs(e.longestWaitMs)}\n`,
          );
          draw();
        }
        break;
      case 'retry':
        if (stmt) stmt.wait = undefined;
        if (tty) {
          retries++;
          if (stmt) stmt.retry = `retry ${e.attempt}${e.of !== null ? `/${e.of}` : ''} after ${retryReason(e.reason)}`;
          draw();
          break;
        }
        if (!plainDue('retry')) break;
        clearLive();
        out(
          `  ↻ retry ${e.attempt}${e.of !== null ? `/${e.of}` : ''} of statement ${e.index} after ${retryReason(e.reason)}${e.blockingPids.length ? ` (blocked by pid ${e.blockingPids.join(', ')})` : ''}${e.pauseMs !== undefined ? ` in ${e.pauseMs} ms` : ''}\n`,
        );
        draw();
        break;
      case 'migration-end':
        stopTicker();
        stmt = undefined;
        clearLive();
        if (e.outcome === 'applied')
          out(
            `✓ ${e.name}  ${secs(e.durationMs)}${tty && retries ? `  (${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''}\n`,
          );
        else {
          // the engine's message already starts with the outcome ("interrupted; the migration was rolled back...")
          const message = e.error?.message ?? '';
          out(
            `${e.outcome === 'interrupted' ? '■' : '✗'} ${e.name}  ${message.startsWith(e.outcome) ? message : `${e.outcome}: ${message}`}\n`,
          );
          if (e.error?.statement)
            out(`  at migration.sql line ${e.error.position}: ${e.error.statement.slice(0, 200)}\n`);
          if (e.error?.hint) out(`  hint: ${e.error.hint}\n`);
        }
        break;
      case 'batch-progress': {
        const eta = e.etaMs === null ? '' : `, ETA ${formatEta(e.etaMs)}`;
        const batch = e.batchSize === undefined ? '' : `, batches of ${e.batchSize} keys`;
        const line = `backfill ${e.name} statement ${e.index}: ${e.rows} rows, ${Math.floor(e.percent)}% of the keys, ${e.rowsPerSecond} rows/s${batch}${eta}`;
        if (tty) {
          out(`\r\x1b[2K${line}`);
          live = true;
        } else if (plainDue('batch') || e.percent >= 100) out(`  … ${line}\n`);
        break;
      }
      case 'hold':
        // in place on a terminal (the seconds tick); else the first line, then one every 5 s
        if (tty) {
          out(`\r\x1b[2Kholding: ${e.reason}`);
          live = true;
        } else if (plainDue('hold')) out(`holding: ${e.reason}\n`);
        break;
      case 'hold-end':
        clearLive();
        lastLine.delete('hold');
        out(
          e.stopped
            ? `stopped while holding, after ${secs(e.heldMs)}, before more of ${e.name}\n`
            : e.expired
              ? `✗ held ${secs(e.heldMs)} (--max-hold) before ${e.name} because ${e.expired}: nothing more was started; run again once it has caught up, or raise --max-hold\n`
              : `held ${secs(e.heldMs)}; going on with ${e.name}\n`,
        );
        break;
      case 'run-end':
        stopTicker();
        clearLive();
        break;
    }
  };
}
