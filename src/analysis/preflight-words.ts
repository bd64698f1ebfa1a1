// What the preflight says, in a DBA's words: which rows make the statement fail, and what to do first.
import { quoteIdent } from './names.js';
import type { PreflightCheck } from './preflight-checks.js';
import { tableLabel } from './preflight-checks.js';

const rowsOf = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
const cols = (c: string[]) => (c.length === 1 ? quoteIdent(c[0]!) : `(${c.map(quoteIdent).join(', ')})`);

/** "(id 7, id 9, …)": the examples, and an ellipsis when there are more rows than shown. */
function shown(examples: string[], n: number): string {
  if (!examples.length) return '';
  return ` (${examples.join('; ')}${n > examples.length ? '; …' : ''})`;
}

export function describeFailure(check: PreflightCheck, n: number, examples: string[]): string {
  const table = quoteIdent(tableLabel(check.table));
  const one = n === 1;
  const ex = shown(examples, n);
  switch (check.kind) {
    case 'not-null':
      return `will fail: ${rowsOf(n)} of ${table} ${one ? 'has' : 'have'} ${cols(check.columns)} NULL${ex}`;
    case 'new-not-null-column':
      return `will fail: ${table} has ${rowsOf(n)} and ${cols(check.columns)} is added NOT NULL without a default${ex}`;
    case 'unique':
      return `will fail: ${rowsOf(n)} of ${table} share ${cols(check.columns)} with another row${ex}`;
    case 'primary-key':
      return `will fail: ${rowsOf(n)} of ${table} ${one ? 'has' : 'have'} a duplicate or NULL ${cols(check.columns)}${ex}`;
    case 'foreign-key':
      return `will fail: ${rowsOf(n)} of ${table} ${one ? 'has' : 'have'} ${cols(check.columns)} with no match in ${quoteIdent(tableLabel(check.references!.table))}${ex}`;
    case 'check':
      return `will fail: ${rowsOf(n)} of ${table} ${one ? 'breaks' : 'break'} CHECK (${check.condition})${ex}`;
    case 'type-change':
      if (check.enumValues)
        return `will fail: ${rowsOf(n)} of ${table} ${one ? 'has' : 'have'} a ${cols(check.columns)} value the new enum ${quoteIdent(check.newType!.names.join('.'))} lacks${ex}`;
      return `will fail: ${rowsOf(n)} of ${table} ${one ? 'has' : 'have'} ${cols(check.columns)} longer than the new type allows${ex}`;
  }
}

export function fixFor(f: { check: PreflightCheck['kind']; relation: string }): string {
  switch (f.check) {
    case 'not-null':
      return 'fill the NULLs first (an UPDATE in batches, in an earlier migration), or leave the column nullable';
    case 'new-not-null-column':
      return 'add the column with a DEFAULT, or add it nullable, backfill it, then SET NOT NULL';
    case 'unique':
    case 'primary-key':
      return 'remove or merge the duplicate rows first (decide which row of each group to keep, and back the table up)';
    case 'foreign-key':
      return 'fix or delete the orphan rows first; or ADD CONSTRAINT ... NOT VALID (new rows only) and VALIDATE CONSTRAINT once they are fixed';
    case 'check':
      return 'correct the rows first; or ADD CONSTRAINT ... NOT VALID (new rows only) and VALIDATE CONSTRAINT once they are fixed';
    case 'type-change':
      return 'clean or convert the values first, or give the change a USING expression that handles them';
  }
}

/** The preflight's summary for plan and rehearse: what it checked, and what it could not. */
export function renderPreflight(r: {
  checked: number;
  durationMs: number;
  findings: { outcome: string; migration: string; statement: number; message: string }[];
}): string[] {
  const fail = r.findings.filter((f) => f.outcome === 'will-fail').length;
  const unchecked = r.findings.filter((f) => f.outcome === 'not-checked');
  const out = [
    `Data preflight (read only, on the target's rows): ${r.checked} statement${r.checked === 1 ? '' : 's'} that can fail on existing rows checked in ${r.durationMs} ms; ${fail ? `${fail} will fail (above)` : 'none will fail'}.`,
  ];
  for (const f of unchecked.slice(0, 5)) out.push(`  · ${f.migration} line ${f.statement}: ${f.message}`);
  if (unchecked.length > 5) out.push(`  · and ${unchecked.length - 5} more not checked (--json lists them)`);
  return out;
}
