// The journal as a Markdown report for the guide's post-mortem: what happened when, who did it,
// how long each migration took against the guide's estimate, what failed and what to do about it.
// A journal left by a killed process renders too: a begin without an end is "interrupted".
import type { JournalLine } from './journal.js';
import type { JournalContents } from './read.js';
import type { RunbookManifest } from '../runbook/manifest.js';
import { formatBytes, formatDuration } from '../safety/format.js';
import {
  holdLimitWords,
  holdWords,
  lockBusyWords,
  performanceWords,
  plainWords,
  rehearseWords,
  rollbackRowsWords,
  verifyWords,
} from './reportWords.js';
import { describeEpisode, lockWaitEpisodes, runbookUsed, statementsDone, victimEpisodes } from './reportDetails.js';

export interface ReportOptions {
  target: string;
  journalFile: string;
  manifest?: RunbookManifest;
  since?: Date;
}

type Obj = Record<string, any>;

interface Entry {
  begin?: JournalLine;
  end?: JournalLine;
  event?: JournalLine;
}

/** Per-statement lines, lock-wait samples and retries (shown as one line per wait episode instead). */
const STATEMENT_ACTIONS = new Set([
  'migration.statement',
  'migration.statement-end',
  'migration.lock-wait',
  'migration.victims',
  'migration.retry',
]);
const isKill = (a: string) => /kill|cancel|terminate/.test(a);
const cell = (s: unknown) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
const hhmmss = (iso: string) => iso.replace('T', ' ').slice(0, 19);

/** today (local midnight), last-run (the latest run's start), or an ISO time. */
export function parseSince(value: string, lines: JournalLine[], now = new Date()): Date {
  if (value === 'today') return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (value === 'last-run') {
    const runs = lines.filter((l) => l.action === 'run' && l.phase === 'begin');
    const last = runs[runs.length - 1];
    if (!last) throw new Error('the journal records no run yet');
    return new Date(last.time);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a time`);
  return new Date(t);
}

function entries(lines: JournalLine[]): Entry[] {
  const byId = new Map<string, Entry>();
  const out: Entry[] = [];
  for (const l of lines) {
    if (l.phase === 'event') {
      out.push({ event: l });
      continue;
    }
    let e = byId.get(l.id);
    if (!e) {
      e = {};
      byId.set(l.id, e);
      out.push(e);
    }
    if (l.phase === 'begin') e.begin = l;
    else e.end = l;
  }
  return out;
}

const first = (e: Entry) => (e.begin ?? e.event ?? e.end)!;

function summaryOf(e: Entry): string {
  const l = first(e);
  const d = (l.details ?? {}) as Obj;
  const r = (e.end?.result ?? {}) as Obj;
  switch (l.action) {
    case 'migration':
      return e.end || e.event
        ? `${d.name ?? r.name}: ${r.outcome ?? (e.event?.details as Obj)?.outcome}${r.durationMs !== undefined ? ` in ${formatDuration(r.durationMs)}` : ''}`
        : `${d.name}: started, no end recorded (interrupted)`;
    case 'run':
      return e.end
        ? `${d.mode ?? ''} run: ${r.outcome}, applied ${(r.applied ?? []).length}`
        : `${d.mode ?? ''} run of ${(d.pending ?? []).length} migration(s): no end recorded (interrupted)`;
    case 'backup':
      return e.end
        ? r.ok === false
          ? `failed: ${r.error}`
          : `${r.path} ${formatBytes(r.bytes)} ${r.verified ? 'verified' : 'NOT verified'}`
        : 'started, no end recorded';
    case 'kill':
    case 'kill-declined': {
      const who = d.session
        ? ` (${d.session.application || 'no application name'}, user ${d.session.user ?? '?'})`
        : '';
      const what = `${d.how ?? ''} pid ${d.pid}${who}${d.session?.query ? `: ${String(d.session.query).slice(0, 80)}` : ''}`;
      if (l.action === 'kill-declined') return `${what}: declined`;
      return e.end ? `${what}: ${r.result ?? (r.ok ? 'done' : `failed ${r.error ?? ''}`)}` : `${what}: no end recorded`;
    }
    case 'backup.restore':
      return e.end
        ? `${d.file}: ${r.ok ? 'restored and verified' : `problem: ${r.error ?? 'row counts differ'}`}`
        : `${d.file}: started, no end recorded (the database may be half restored)`;
    case 'checklist.confirm':
      return `${d.id} confirmed`;
    case 'check':
      return `${d.pass} pass, ${d.warn} warn, ${d.fail} fail, ${d.manual} to confirm${d.failed?.length ? ` (failed: ${d.failed.join(', ')})` : ''}`;
    case 'skip':
      return `${d.name}: ${d.reason}`;
    case 'rollback':
      return `${d.name}: ${d.kind} ${d.outcome}`;
    case 'verify':
      return e.end ? verifyWords(r) : 'started, no end recorded';
    case 'rehearse':
      return rehearseWords(d, e.end ? r : undefined);
    case 'rollback.rows':
      return rollbackRowsWords(d);
    case 'run.lock-busy':
      return lockBusyWords(d);
    case 'run.hold-limit':
      return holdLimitWords(d);
    case 'run.hold':
      return holdWords(e.begin ? d : {}, e.end ? r : e.event ? d : undefined);
    case 'verify.performance':
      return performanceWords(d);
    default:
      return plainWords(d, e.end ? r : undefined);
  }
}

function estimateVerdict(ms: number | undefined, est?: { minMinutes: number; maxMinutes: number }): string {
  if (ms === undefined || !est) return '';
  const min = ms / 60_000;
  if (min > est.maxMinutes) return `over by ${formatDuration(ms - est.maxMinutes * 60_000)}`;
  if (min < est.minMinutes) return 'faster';
  return 'within';
}

export function renderReport(journal: JournalContents, opts: ReportOptions): string {
  const lines = opts.since ? journal.lines.filter((l) => Date.parse(l.time) >= opts.since!.getTime()) : journal.lines;
  const all = entries(lines);
  const out: string[] = [`# Migration report: ${opts.target}`, ''];
  const people = [...new Set(lines.map((l) => `${l.who}@${l.host}`))];
  out.push(
    `- Journal: \`${opts.journalFile}\` (${opts.since ? lines.length : (journal.total ?? lines.length)} line(s)${journal.unreadable.length ? `, ${journal.unreadable.length} unreadable` : ''})`,
  );
  out.push(
    `- Period: ${lines.length ? `${hhmmss(lines[0]!.time)} to ${hhmmss(lines[lines.length - 1]!.time)} UTC` : 'nothing recorded'}${opts.since ? ` (since ${opts.since.toISOString()})` : ''}`,
  );
  out.push(`- People: ${people.join(', ') || 'none'}`);
  const manifest = runbookUsed(lines, opts.manifest);
  if (manifest) out.push(`- Runbook: ${manifest.guide} ${manifest.guideVersion}`);

  const migrations = all.filter((e) => first(e).action === 'migration');
  const failures = migrations.filter((e) => ((e.end?.result ?? e.event?.details) as Obj)?.outcome === 'failed');
  const interrupted = all.filter((e) => e.begin && !e.end);
  out.push('', '## Timeline', '', '| time (UTC) | who | action | what |', '|---|---|---|---|');
  const episodes = new Map(lockWaitEpisodes(lines).map((w) => [w.at, w]));
  const victims = victimEpisodes(lines);
  for (const e of all) {
    const l = first(e);
    const wait = episodes.get(l);
    if (wait) out.push(`| ${hhmmss(l.time)} | ${cell(l.who)} | lock wait | ${cell(describeEpisode(wait))} |`);
    const queued = victims.get(l);
    if (queued) out.push(`| ${hhmmss(l.time)} | ${cell(l.who)} | sessions queued | ${cell(queued)} |`);
    if (STATEMENT_ACTIONS.has(l.action)) continue;
    out.push(`| ${hhmmss(l.time)} | ${cell(l.who)} | ${cell(l.action)} | ${cell(summaryOf(e))} |`);
  }

  out.push('', '## Migrations', '');
  if (!migrations.length) out.push('No migration was run in this period.');
  else {
    out.push(
      '| migration | outcome | statements | duration | guide estimate | against estimate |',
      '|---|---|---|---|---|---|',
    );
    for (const e of migrations) {
      const d = (e.begin?.details ?? e.event?.details ?? {}) as Obj;
      const r = (e.end?.result ?? e.event?.details ?? {}) as Obj;
      const name = d.name ?? r.name;
      const est = manifest?.migrations.find((m) => m.name === name)?.estimate;
      const done = e.begin ? statementsDone(lines, e.begin, e.end) : 0;
      const outcome = e.begin && !e.end ? 'interrupted (no end recorded: the process was killed or lost)' : r.outcome;
      out.push(
        `| ${cell(name)} | ${cell(outcome)} | ${d.statements !== undefined ? `${done}/${d.statements}` : done} | ${r.durationMs !== undefined ? formatDuration(r.durationMs) : ''} | ${est ? `${est.minMinutes}-${est.maxMinutes} min` : ''} | ${estimateVerdict(r.durationMs, est)} |`,
      );
    }
  }

  out.push('', '## Failures', '');
  if (!failures.length && !interrupted.length) out.push('None.');
  for (const e of failures) {
    const r = (e.end?.result ?? e.event?.details) as Obj;
    const err = (r.error ?? {}) as Obj;
    out.push(`### ${r.name}`, '', `- Error${err.code ? ` ${err.code}` : ''}: ${cell(err.message)}`);
    if (err.statement)
      out.push(
        `- Statement${err.position ? ` (line ${err.position})` : ''}: \`${cell(String(err.statement).slice(0, 300))}\``,
      );
    if (err.hint) out.push(`- What to do: ${cell(err.hint)}`);
    out.push('');
  }
  for (const e of interrupted)
    out.push(
      `- Interrupted: ${cell(e.begin!.action)} begun at ${hhmmss(e.begin!.time)} by ${e.begin!.who} (pid ${e.begin!.pid}) has no end: ${cell(summaryOf(e))}`,
    );

  out.push('', '## Backups', '');
  const backups = all.filter((e) => first(e).action === 'backup' || first(e).action === 'backup.restore');
  if (!backups.length) out.push('No backup was made in this period.');
  else {
    out.push('| time (UTC) | who | what | file | size | sha256 | verified |', '|---|---|---|---|---|---|---|');
    for (const e of backups) {
      const l = first(e);
      const d = (l.details ?? {}) as Obj;
      const r = (e.end?.result ?? {}) as Obj;
      const restore = l.action === 'backup.restore';
      const verified = !e.end
        ? 'no end recorded'
        : r.ok === false && r.error
          ? `failed: ${r.error}`
          : restore
            ? r.ok
              ? 'row counts match'
              : 'row counts differ'
            : r.verified
              ? `yes${r.restoreCheck ? ` (${r.restoreCheck.tables} tables, ${r.restoreCheck.rowsCompared} rows)` : ''}`
              : 'NO';
      out.push(
        `| ${hhmmss(l.time)} | ${cell(l.who)} | ${restore ? 'restore' : 'backup'} | ${cell(restore ? d.file : r.path)} | ${r.bytes !== undefined ? formatBytes(r.bytes) : ''} | ${cell(restore ? d.sha256 : r.sha256)} | ${cell(verified)} |`,
      );
    }
  }

  out.push('', '## Checklist', '');
  const checks = lines.filter((l) => l.action === 'check');
  const lastCheck = checks[checks.length - 1];
  out.push(
    lastCheck
      ? `Last check at ${hhmmss(lastCheck.time)} by ${lastCheck.who}: ${summaryOf({ event: lastCheck })}.`
      : 'No checklist was run in this period.',
  );
  const confirms = lines.filter((l) => l.action === 'checklist.confirm');
  if (confirms.length) {
    out.push('', '| item | confirmed by | at (UTC) |', '|---|---|---|');
    for (const c of confirms)
      out.push(
        `| ${cell((c.details as Obj)?.id)} ${cell((c.details as Obj)?.title ? `(${(c.details as Obj).title})` : '')} | ${cell(c.who)}@${cell(c.host)} | ${hhmmss(c.time)} |`,
      );
  }

  const skips = lines.filter((l) => l.action === 'skip' || l.action === 'rollback');
  out.push(
    '',
    '## Skips and rollbacks',
    '',
    ...(skips.length
      ? skips.map((l) => `- ${hhmmss(l.time)} ${l.who}: ${l.action} ${cell(summaryOf({ event: l }))}`)
      : ['None.']),
  );

  const kills = all.filter((e) => isKill(first(e).action));
  out.push(
    '',
    '## Sessions cancelled or terminated',
    '',
    ...(kills.length
      ? kills.map((e) => `- ${hhmmss(first(e).time)} ${first(e).who}: ${first(e).action} ${cell(summaryOf(e))}`)
      : ['None.']),
  );

  if (journal.unreadable.length) {
    out.push(
      '',
      '## Unreadable journal lines',
      '',
      'A process killed while writing leaves at most a truncated last line; every complete line above was read.',
    );
    for (const u of journal.unreadable) out.push(`- line ${u.lineNo}: \`${cell(u.text)}\``);
  }
  return out.join('\n') + '\n';
}
