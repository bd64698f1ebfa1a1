// One sentence per journal event for the report's timeline: what a DBA would write in the
// post-mortem, never the line's raw JSON.
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
    done.push(s.ok
      ? `${s.file} matches (${schemaCounts(s.compared)})`
      : `${plural(drift.length, 'difference')} from ${s.file}: ${drift.slice(0, 3).join('; ')}${drift.length > 3 ? `; and ${drift.length - 3} more` : ''}`);
  } else if (s?.reason) skipped.push(`the schema (${s.reason})`);
  const missing: string[] = r.missing ?? [];
  if (r.runbook) {
    const items = plural(r.runbook.items, 'expected change');
    done.push(missing.length
      ? `runbook: ${missing.length} of ${items} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`
      : `runbook: ${items} of ${plural(r.runbook.migrations, 'migration')} present`);
  } else if (r.runbook === null) skipped.push("the runbook's expected changes (no runbook manifest)");
  else if (missing.length) done.push(`${missing.length} expected change(s) missing (${missing.slice(0, 3).join(', ')})`);
  done.push(`integrity checks ${r.integrity ?? 'not run'}`);
  // A line written before verify journalled what it compared says so, instead of claiming all was present.
  if (!s && r.runbook === undefined) skipped.push('this journal line does not record what was compared');
  return `${done.join('; ')}${skipped.length ? `; not checked: ${skipped.join(', ')}` : ''}`;
}
