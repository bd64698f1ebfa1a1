// One sentence per journal event for the report's timeline: what a DBA would write in the
// post-mortem, never the line's raw JSON.
import { formatBytes, formatDuration } from '../safety/format.js';
import { formatSeconds } from '../format.js';

type Obj = Record<string, any>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "6 tables, 29 columns, ..." from the counts verify journals. */
function schemaCounts(c: Obj | undefined): string {
  if (!c) return '';
  return [
    plural(c.tables, 'table'),
    plural(c.columns, 'column'),
    plural(c.primaryKeys, 'primary key'),
    plural(c.indexes, 'index', 'indexes'),
    plural(c.foreignKeys, 'foreign key'),
    plural(c.enums, 'enum'),
  ].join(', ');
}

/** verify's end: what was compared and found, and what was not compared (never more than was checked). */
export function verifyWords(r: Obj): string {
  if (r.error) return `failed: ${r.error}`;
  const done: string[] = [];
  const skipped: string[] = [];
  const s = r.schema as Obj | undefined;
  if (s?.file) {
    const drift: string[] = s.drift ?? [];
    done.push(
      s.ok
        ? `${s.file} matches (${schemaCounts(s.compared)})`
        : `${plural(drift.length, 'difference')} from ${s.file}: ${drift.slice(0, 3).join('; ')}${drift.length > 3 ? `; and ${drift.length - 3} more` : ''}`,
    );
  } else if (s?.reason) skipped.push(`the schema (${s.reason})`);
  const missing: string[] = r.missing ?? [];
  if (r.runbook) {
    const items = plural(r.runbook.items, 'expected change');
    done.push(
      missing.length
        ? `runbook: ${missing.length} of ${items} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`
        : `runbook: ${items} of ${plural(r.runbook.migrations, 'migration')} present`,
    );
  } else if (r.runbook === null) skipped.push("the runbook's expected changes (no runbook manifest)");
  else if (missing.length)
    done.push(`${missing.length} expected change(s) missing (${missing.slice(0, 3).join(', ')})`);
  done.push(`integrity checks ${r.integrity ?? 'not run'}`);
  // A line written before verify journalled what it compared says so, instead of claiming all was present.
  if (!s && r.runbook === undefined) skipped.push('this journal line does not record what was compared');
  return `${done.join('; ')}${skipped.length ? `; not checked: ${skipped.join(', ')}` : ''}`;
}

const utc = (iso: unknown) =>
  typeof iso === 'string' && iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : 'at an unknown time';
const failedWith = (r: Obj) => `failed: ${r.error?.message ?? r.error ?? 'no reason recorded'}`;

/** rehearse: where, and what each migration did on the copy. */
export function rehearseWords(d: Obj, r: Obj | undefined): string {
  const where = `on a scratch copy (${d.scratch === 'server' ? 'a scratch database on the target server' : 'the embedded sandbox'}, ${d.withData ? 'schema and data' : 'schema only'})`;
  if (!r) return `rehearsal ${where}: no end recorded (interrupted)`;
  if (r.ok === false) return `rehearsal ${where} ${failedWith(r)}`;
  const ms_ = (r.migrations ?? []) as Obj[];
  const by = (o: string) => ms_.filter((m) => m.outcome === o).length;
  const failed = ms_.find((m) => m.outcome === 'failed');
  const parts = [
    `${by('applied')} applied`,
    by('failed') ? `${by('failed')} failed` : '',
    by('not-run') ? `${by('not-run')} not run` : '',
  ].filter(Boolean);
  const total = ms_.reduce((n, m) => n + (Number(m.durationMs) || 0), 0);
  const why = failed
    ? `; ${failed.name} failed${failed.error?.code ? ` with ${failed.error.code}` : ''}${failed.error?.message ? `: ${failed.error.message}` : ''}`
    : '';
  return `rehearsal ${where}: ${r.outcome}, ${ms_.length ? `${parts.join(', ')} of ${plural(ms_.length, 'migration')} in ${formatDuration(total)}` : 'nothing pending'}${why}`;
}

/** rollback.rows: the _prisma_migrations rows written to the journal before the rollback deleted them. */
export function rollbackRowsWords(d: Obj): string {
  const rows = (d.rows ?? []) as Obj[];
  const each = rows.map(
    (row) =>
      `${row.finished_at ? `applied ${utc(row.finished_at)}` : `started ${utc(row.started_at)}, not finished`}${row.checksum ? `, checksum ${String(row.checksum).slice(0, 12)}…` : ''}`,
  );
  const n = rows.length;
  return `${d.name}: ${plural(n, '_prisma_migrations row')} saved before the rollback deleted ${n === 1 ? 'it' : 'them'}${n ? ` (${each.join('; ')})` : ''}`;
}

/** run.lock-busy: who holds Prisma's migration lock. */
export function lockBusyWords(d: Obj): string {
  const h = d.holder as Obj | null | undefined;
  const who = h
    ? `pid ${h.pid} (${h.application || 'no application name'}, user ${h.user ?? '?'}${h.clientAddr ? ` from ${h.clientAddr}` : ''}${h.since ? `, since ${utc(h.since)}` : ''})`
    : 'another session (it could not be identified)';
  return `Prisma's migration lock was held by ${who}: ${d.waiting ? 'the run waited for it' : 'the run did not start'}`;
}

/** verify.performance: the snapshot's figures, as the next comparison will use them. */
export function performanceWords(d: Obj): string {
  const tables = (d.tables ?? []) as Obj[];
  const indexes = (d.indexes ?? []) as Obj[];
  const largest = tables[0]
    ? ` (largest ${tables[0].schema && tables[0].schema !== 'public' ? `${tables[0].schema}.` : ''}${tables[0].table}, ${formatBytes(tables[0].totalBytes)})`
    : '';
  const invalid: string[] = d.invalid ?? [];
  const unused: string[] = d.unused ?? [];
  const statements =
    typeof d.statements === 'number'
      ? `${plural(d.statements, 'slow statement')} listed`
      : `slow statements not read (${d.statements ?? 'no reason recorded'})`;
  const problems = [
    invalid.length ? `INVALID: ${invalid.join(', ')}` : '',
    unused.length ? `unused so far: ${unused.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `performance snapshot${d.from === 'console' ? ' from the console' : ''}: ${plural(tables.length, 'table')} measured${largest}, ${plural(indexes.length, 'index', 'indexes')} of the run checked${problems ? ` (${problems})` : ''}, ${statements}`;
}

/** Any other line: its fields as "name value" pairs, never raw JSON. */
export function plainWords(d: Obj, r: Obj | undefined): string {
  const say = (o: Obj) =>
    Object.entries(o)
      .filter(([k, v]) => k !== 'at' && v !== null && v !== undefined && v !== '')
      .map(
        ([k, v]) =>
          `${k} ${Array.isArray(v) ? (v.every((x) => typeof x !== 'object') ? v.join(', ') || 'none' : `${v.length} item(s)`) : typeof v === 'object' ? '(…)' : String(v)}`,
      )
      .join(', ');
  const text = [say(d), r ? (r.ok === false ? failedWith(r) : say(r)) : ''].filter(Boolean).join('; ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || 'recorded';
}

/** run.hold-limit: the console's L changed what a running run holds at. */
export function holdLimitWords(d: Obj): string {
  const say = (v: number | null | undefined, unit: unknown) =>
    v === null || v === undefined ? 'none' : unit === 'bytes' ? formatBytes(v) : formatDuration(v);
  return `the replay-lag limit of the running run was changed from ${say(d.from, d.fromUnit)} to ${say(d.to, d.unit)}`;
}

/** run.hold: one sentence for a hold, from its start (signal, value, limit) and its end (duration, outcome). */
export function holdWords(d: Obj, r: Obj | undefined): string {
  const say = (v: number | null | undefined) =>
    v === null || v === undefined
      ? '?'
      : d.unit === 'ms'
        ? formatDuration(v)
        : d.unit === 'bytes'
          ? formatBytes(v)
          : d.unit === 'segments'
            ? `${v} WAL segments`
            : String(v);
  const what =
    d.signal === 'replay-lag' && typeof d.bytesPerSecond === 'number' && typeof d.value === 'number'
      ? `standby ${d.standby} had ${formatBytes(d.value)} to replay, about ${formatSeconds((d.value * 1000) / d.bytesPerSecond)} at its ${formatBytes(d.bytesPerSecond)}/s (max ${formatDuration(d.limitMs as number)})`
      : d.signal === 'replay-lag'
        ? `standby ${d.standby} was ${say(d.value)} behind (max ${say(d.limit)})`
        : d.signal === 'archive-backlog'
          ? `the archive was ${say(d.value)} behind (max ${d.limit})`
          : (d.reason ?? 'a limit was over');
  const name = d.name ?? r?.name;
  if (!r) return `held ${name} because ${what}: no end recorded`;
  const after =
    r.outcome === 'expired'
      ? `gave up at --max-hold (still ${say(r.value)}): nothing more was started`
      : r.outcome === 'stopped'
        ? 'the run was stopped while holding'
        : 'went on once it was under the limit';
  return `held ${name} for ${formatDuration(r.heldMs)} because ${what}; ${after}`;
}
