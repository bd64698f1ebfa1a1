// The Enter view: everything about the selection that does not fit in a pane row.
import type { ConsoleHost } from './host.js';
import type { Details, Selection } from './model.js';
import { bytes, duration, estimate, oneLine } from './format.js';

export async function detailsFor(c: ConsoleHost, sel: Selection): Promise<Details> {
  switch (sel.pane) {
    case 'migrations':
      return sel.migration
        ? migrationDetails(c, sel.migration.name)
        : { title: 'Migrations', lines: ['no migration selected'] };
    case 'locks':
      return lockDetails(c, sel);
    case 'checklist':
      return itemDetails(c, sel);
    case 'gauges':
      return gaugeDetails(c);
  }
}

/** The migration's SQL with the running (or failing) statement marked ▶. */
async function migrationDetails(c: ConsoleHost, name: string): Promise<Details> {
  const view = c.getState().migrations.items.find((m) => m.name === name);
  const local = c.folder?.migrations.find((m) => m.name === name);
  const spec = c.manifest?.migrations.find((m) => m.name === name);
  const head: string[] = [];
  if (spec)
    head.push(
      `step ${spec.step}: ${spec.title}  (risk ${spec.risk}, guide estimate ${estimate(spec.estimate)}${spec.breaking ? ', BREAKING' : ''})`,
    );
  if (view)
    head.push(
      `state: ${view.state}${view.durationMs !== undefined ? `, ${duration(view.durationMs)}` : ''}${view.note ? `: ${view.note}` : ''}`,
    );
  if (view?.error) {
    head.push(`error ${view.error.code}: ${oneLine(view.error.message)}`);
    if (view.error.statement)
      head.push(`failing statement (line ${view.error.position ?? '?'}): ${oneLine(view.error.statement)}`);
    if (view.error.hint) head.push(`hint: ${oneLine(view.error.hint)}`);
  }
  for (const n of spec?.notes ?? []) head.push(`note: ${n}`);
  for (const b of spec?.breakingChanges ?? []) head.push(`breaking: ${b}`);
  if (!local) return { title: name, lines: [...head, '(no migration.sql in the migrations folder)'] };

  // Which lines to mark: the running statement, else the failing one, from the parser's statement boundaries.
  const markLine = view?.statement?.line ?? view?.error?.position;
  let range: [number, number] | undefined;
  if (markLine) {
    try {
      const { statementsOf } = await import('../operations/consoleReads.js');
      const stmts = await statementsOf(local.sql, `${name}/migration.sql`);
      const i = stmts.findIndex((s, k) => s.line <= markLine && (stmts[k + 1]?.line ?? Infinity) > markLine);
      if (i >= 0) {
        const endLine = stmts[i]!.line + stmts[i]!.sql.split('\n').length - 1;
        range = [stmts[i]!.line, endLine];
      }
    } catch {
      range = [markLine, markLine];
    }
  }
  const sqlLines = local.sql.split('\n').map((l, k) => {
    const n = k + 1;
    const mark = range && n >= range[0] && n <= range[1];
    return `${mark ? '▶' : ' '}${String(n).padStart(4)}  ${l.replace(/\t/g, '  ')}`;
  });
  const sep = [`── ${local.sqlPath}${local.downPath ? ' (has down.sql)' : ' (no down.sql)'} ──`];
  return {
    title: name,
    lines: [...head, ...sep, ...sqlLines],
    focusLine: range ? head.length + sep.length + range[0] - 1 : undefined,
  };
}

function lockDetails(c: ConsoleHost, sel: Selection): Details {
  const r = sel.lock;
  if (!r) return { title: 'Locks', lines: ['no session waits for a lock'] };
  const s = c.lastSnapshot?.locks.sessions.find((x) => x.pid === r.pid);
  const lines = [
    `pid ${r.pid}  user ${r.user || '?'}  application ${r.application || '(none)'}${s?.clientAddr ? `  from ${s.clientAddr}` : ''}`,
    `state: ${r.state}${r.xactAgeMs !== undefined ? `, transaction open ${duration(r.xactAgeMs)}` : ''}${s?.stateAgeMs != null ? `, in this state ${duration(s.stateAgeMs)}` : ''}`,
  ];
  if (s?.wanted)
    lines.push(
      `waits ${s.wanted.waitingMs != null ? duration(s.wanted.waitingMs) : ''} for ${s.wanted.mode} on ${s.wanted.object}`,
    );
  if (r.blockingPids.length) lines.push(`blocked by pid ${r.blockingPids.join(', ')}`);
  if (s?.heldModes.length) lines.push(`holds ${s.heldModes.join(', ')} that others wait for`);
  lines.push('', 'query:', ...(s?.query ?? r.query).split('\n'));
  lines.push('', 'C cancels its query (pg_cancel_backend), K terminates the session (pg_terminate_backend).');
  return { title: `Session ${r.pid}`, lines };
}

function itemDetails(c: ConsoleHost, sel: Selection): Details {
  const item = sel.item;
  if (!item) return { title: 'Checklist', lines: ['no item'] };
  const r = c.checklistResults.find((i) => i.id === item.id);
  const spec = c.manifest?.checklist.find((i) => i.id === item.id);
  const lines = [
    `${item.id} (${r?.group ?? spec?.group ?? ''}, ${r?.kind ?? spec?.check ?? ''})`,
    `status: ${item.status}`,
    '',
    'evidence:',
    ...(item.evidence ?? '').split('\n'),
  ];
  if (spec?.guideCommand) lines.push('', `the guide's command: ${spec.guideCommand}`);
  for (const d of spec?.details ?? []) lines.push(`· ${d}`);
  if (item.status === 'manual') lines.push('', 'c confirms it done (the journal records who and when).');
  return { title: item.title, lines };
}

function gaugeDetails(c: ConsoleHost): Details {
  const s = c.lastSnapshot;
  const lines: string[] = [];
  if (!s) return { title: 'Disk / size', lines: ['the monitor has not answered yet'] };
  lines.push(
    `database ${s.sizes.databaseBytes === null ? '?' : bytes(s.sizes.databaseBytes)}${s.sizes.growthBytes ? ` (${s.sizes.growthBytes > 0 ? '+' : ''}${bytes(s.sizes.growthBytes)} since the console started)` : ''}${s.sizes.measuredAt ? `, measured ${s.sizes.measuredAt.slice(11, 19)}` : ''}`,
  );
  lines.push(
    s.disk.known
      ? `disk ${s.disk.path}: ${bytes(s.disk.freeBytes)} free of ${bytes(s.disk.totalBytes)} (${Math.round(s.disk.freePercent)}%); ${s.disk.evidence}`
      : `disk free unknown: ${s.disk.reason}`,
  );
  if (s.sizes.walBytes !== null) lines.push(`WAL ${bytes(s.sizes.walBytes)} in ${s.sizes.walFiles} files`);
  else if (s.sizes.walNote) lines.push(`WAL: ${s.sizes.walNote}`);
  if (s.sizes.largest.length)
    lines.push(
      '',
      'largest relations:',
      ...s.sizes.largest.map((r) => `  ${bytes(r.bytes).padStart(8)}  ${r.name}  (~${r.estimatedRows} rows)`),
    );
  lines.push(
    '',
    `connections ${s.connections.total}${s.connections.max ? ` of ${s.connections.max}` : ''}:`,
    ...s.connections.byApplication.map(
      (a) => `  ${String(a.sessions).padStart(4)}  ${a.application || '(no name)'}  ${a.state}`,
    ),
  );
  for (const b of s.indexBuilds) lines.push('', `index build pid ${b.pid}: ${b.index} ${b.percent ?? '?'}% ${b.phase}`);
  const v = c.lastVerification;
  if (v) {
    lines.push(
      '',
      `last verify ${v.at.toTimeString().slice(0, 8)}: ${v.checked.length} migration(s) checked, integrity ${v.integrity}`,
    );
    for (const m of v.missing) lines.push(`  ✗ ${m}`);
    for (const f of v.findings) lines.push(`  ! ${f}`);
  }
  if (s.stale) lines.push('', `! stale since ${s.staleSince}: ${s.error}`);
  return { title: 'Disk / size, connections, verification', lines };
}
