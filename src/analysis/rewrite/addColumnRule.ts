// ADD COLUMN with a default that rewrites the table: the clock read once where the clock is all that
// varies, else the column filled in batches by the primary key.
import { functionCalls, lockOf, relName, volatileCalls } from '../locks.js';
import type { RewriteStep, StatementRewrite } from './types.js';
import { bytesBetween, ident, qualified } from './text.js';
import { asWritten, notNullSteps, result, step, type RuleInput, type Rv, type TableFacts } from './forms.js';

const SERIAL = /^(small|big)?serial[248]?$/;

export function addColumnRule(input: RuleInput, def: Record<string, any>, facts: TableFacts): StatementRewrite {
  const l = lockOf({ kind: input.kind, ast: { [input.kind]: input.node } });
  const typeNames: string[] = (def.typeName?.names ?? []).map((x: any) => x.String?.sval);
  const cons: Record<string, any>[] = (def.constraints ?? []).map((c: any) => c.Constraint ?? {});
  if (!l.rewrites) return asWritten(input, 'no rewrite (a constant default is kept in the catalog): safe as written');
  const only = cons.every((c) => ['CONSTR_DEFAULT', 'CONSTR_NOTNULL', 'CONSTR_NULL'].includes(c.contype));
  const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
  if (!only || !dflt || SERIAL.test(typeNames[typeNames.length - 1] ?? ''))
    return asWritten(input, 'rewrites the table and has no safe form here: add the column and fill it in batches');
  const rel: Rv = input.node.relation;
  const table = qualified(rel);
  const col = ident(def.colname);
  const sorted = [...cons].sort((a, b) => a.location - b.location);
  const next = sorted[sorted.indexOf(dflt) + 1];
  const expr = bytesBetween(input.sql, dflt.location, next?.location).replace(/^DEFAULT\s+/i, '');
  const once = input.serverVersionNum >= 110000 ? clockReadOnce(input.sql, dflt.raw_expr) : null;
  if (once)
    return result(
      input,
      'clock-read-once',
      'no table rewrite: the rows already there get the time the first step runs, read once (as written, each gets ' +
        'the instant the rewrite reached it, within the seconds the table is locked); new rows get the default as written',
      [
        step({
          action: {
            type: 'sql',
            sql: once,
            transactional: true,
            skipIf: { kind: 'column-exists', table, column: def.colname },
          },
          title: 'add the column with the time read once (kept in the catalog as a constant default is: no rewrite)',
          lock: 'ACCESS EXCLUSIVE',
          relation: relName(rel),
        }),
        step({
          action: {
            type: 'sql',
            sql: `ALTER TABLE ${table} ALTER COLUMN ${col} SET DEFAULT ${expr}`,
            transactional: true,
          },
          title: 'set the default as written, for new rows',
          lock: 'ACCESS EXCLUSIVE',
          relation: relName(rel),
        }),
      ],
    );
  if (!facts.primaryKey)
    return asWritten(input, 'rewrites the table, which has no single-column primary key to fill it in batches by');
  const typeText = bytesBetween(input.sql, def.typeName.location, sorted[0]?.location);
  const notNull = cons.some((c) => c.contype === 'CONSTR_NOTNULL');
  const steps: RewriteStep[] = [
    step({
      action: {
        type: 'sql',
        sql: `ALTER TABLE ${table} ADD COLUMN ${col} ${typeText}`,
        transactional: true,
        skipIf: { kind: 'column-exists', table, column: def.colname },
      },
      title: 'add the column, nullable, without default (no rewrite)',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: { type: 'sql', sql: `ALTER TABLE ${table} ALTER COLUMN ${col} SET DEFAULT ${expr}`, transactional: true },
      title: 'set the default for new rows',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: { type: 'backfill', table, column: col, key: ident(facts.primaryKey), batchRows: input.batchRows },
      title: `fill existing rows in batches of ${input.batchRows} by ${facts.primaryKey}, each its own transaction`,
      lock: 'ROW EXCLUSIVE',
      relation: relName(rel),
      scans: true,
    }),
  ];
  if (notNull) steps.push(...notNullSteps(rel, def.colname));
  return result(input, 'add-column-backfill', 'no table rewrite: existing rows are filled in short batches', steps);
}

/** Calls a clock default may also make and still be read once: immutable, or stable as the clock read once is. */
const ALONGSIDE_THE_CLOCK = new Set(['clock_timestamp', 'date_trunc', 'timezone']);

const CLOCK_CALL = /^(?:(?:pg_catalog|"pg_catalog")\s*\.\s*)?(?:clock_timestamp|"clock_timestamp")/i;

/**
 * The statement with each clock_timestamp() of its default read once instead (statement_timestamp(),
 * stable, so PostgreSQL 11+ keeps the value in the catalog and rewrites nothing), when reading the
 * clock is all that makes the default volatile; null otherwise (gen_random_uuid() must differ per row,
 * and a function of the database may be volatile without the parse tree saying so).
 */
function clockReadOnce(sql: string, expr: unknown): string | null {
  const calls = volatileCalls(expr).sort((a, b) => a.location - b.location);
  if (!calls.length || calls.some((c) => c.name !== 'clock_timestamp')) return null;
  if (functionCalls(expr).some((f) => !ALONGSIDE_THE_CLOCK.has(f.name))) return null;
  const bytes = Buffer.from(sql, 'utf8');
  const parts: string[] = [];
  let at = 0;
  for (const c of calls) {
    const m = CLOCK_CALL.exec(bytes.subarray(c.location).toString('utf8'));
    if (!m) return null;
    parts.push(bytes.subarray(at, c.location).toString('utf8'), 'statement_timestamp');
    at = c.location + Buffer.byteLength(m[0]);
  }
  parts.push(bytes.subarray(at).toString('utf8'));
  return parts.join('').trim().replace(/;\s*$/, '');
}
