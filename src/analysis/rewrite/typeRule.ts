// Column type changes: which ones the catalog alone makes (widening), and the expand-and-contract
// form of one that rewrites the table: a new column of the new type kept equal to the old one by a
// trigger, existing rows copied in batches, then the two swapped in one short transaction. Only where
// nothing else names the column (an index, a constraint, a view…): moving those is the
// application's business, and the note says which.
import type { Db } from '../../postgres/connect.js';
import { sqlFile } from '../../postgres/sqlFiles.js';
import type { LockMode } from '../locks.js';
import type { StepAction } from './types.js';
import { bytesBetween, ident } from './text.js';

export interface ColumnTypeFacts {
  type: string;
  notNull: boolean;
  defaultExpr: string | null;
  identity: boolean;
  generated: boolean;
  privileges: boolean;
  comment: boolean;
  inherited: boolean;
  /** In a publication: a subscriber would meet the new column, which its table does not have. */
  published: boolean;
  /** Objects that depend on the column, as pg_describe_object names them. */
  dependents: string[];
  /** The table's primary key is one integer column: what the backfill's batches are keyed by. */
  integerKey: boolean;
}

export async function readColumnFacts(
  db: Pick<Db, 'query'>,
  table: string,
  column: string,
): Promise<ColumnTypeFacts | null> {
  const r = await db.query(sqlFile('rewrite_column_facts'), [table, column]);
  const row = r.rows[0];
  if (!row) return null;
  return {
    type: row.type,
    notNull: row.not_null,
    defaultExpr: row.default_expr,
    identity: row.identity,
    generated: row.generated,
    privileges: row.privileges,
    comment: row.comment,
    inherited: row.inherited,
    published: row.published === true,
    dependents: [...(row.dependents ?? [])].sort(),
    integerKey: row.integer_key === true,
  };
}

/** The type's name and modifier as the parse tree gives them: ['varchar', 20], ['text', null]. */
export function newType(def: Record<string, any>): [string, number | null] | null {
  const names: string[] = (def.typeName?.names ?? []).map((x: any) => x.String?.sval);
  const mods = def.typeName?.typmods ?? [];
  const last = names[names.length - 1] ?? '';
  if (mods.length > 1 || def.typeName?.arrayBounds) return null;
  const mod = mods[0]?.A_Const?.ival?.ival;
  return [last, mods.length ? (typeof mod === 'number' ? mod : null) : null];
}

/** Changes PostgreSQL makes in the catalog alone (binary-coercible, limit not lowered): no rewrite, no scan. */
export function widens(current: string, next: [string, number | null]): boolean {
  const [name, mod] = next;
  const cur = /^character varying(?:\((\d+)\))?$/.exec(current);
  if (current === 'text') return name === 'text' || (name === 'varchar' && mod === null);
  if (!cur) return false;
  if (name === 'text' || (name === 'varchar' && mod === null)) return true;
  return name === 'varchar' && cur[1] !== undefined && mod !== null && mod >= Number(cur[1]);
}

/** The suffix of the new column while both exist: status recognises a leftover by it. */
export const NEW_SUFFIX = '__citadel_new';
export const SYNC_SUFFIX = '__citadel_sync';

/** A step as the rules' step() takes it. */
export interface TypeStepSpec {
  action: StepAction;
  title: string;
  lock: LockMode | null;
  relation: string | null;
  scans?: boolean;
}

const INTEGERS = ['smallint', 'integer', 'bigint'];
const DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };
const NAMES: Record<string, string> = {
  int2: 'smallint',
  smallint: 'smallint',
  int4: 'integer',
  int: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  numeric: 'numeric',
  decimal: 'numeric',
  varchar: 'varchar',
};

/** The new type as format_type writes it, for the types this form knows (null: another type). */
function targetType(typeName: Record<string, any>): string | null {
  const names: string[] = (typeName?.names ?? []).map((x: any) => x.String?.sval);
  if (typeName?.arrayBounds) return null;
  const name = NAMES[names[names.length - 1] ?? ''];
  const mods: (number | undefined)[] = (typeName?.typmods ?? []).map((m: any) => m.A_Const?.ival?.ival ?? 0);
  if (!name) return null;
  if (name === 'varchar') return mods.length === 1 ? `character varying(${mods[0]})` : null;
  if (name !== 'numeric') return mods.length ? null : name;
  if (!mods.length) return 'numeric';
  return `numeric(${mods[0]},${mods[1] ?? 0})`;
}

const VARCHAR = /^character varying\((\d+)\)$/;

/**
 * Whether every value of `from` fits `to` (an assignment cast that never fails nor rounds), or
 * 'narrows': a shorter varchar, where a longer value fails the cast, in the copy as in the file as written.
 */
function fits(from: string, to: string): boolean | 'narrows' {
  if (from === to) return true;
  const limit = VARCHAR.exec(to);
  if (limit) {
    if (from === 'text' || from === 'character varying') return 'narrows';
    const was = VARCHAR.exec(from);
    return was !== null && Number(was[1]) > Number(limit[1]) ? 'narrows' : false;
  }
  if (!INTEGERS.includes(from)) return false;
  if (INTEGERS.includes(to)) return INTEGERS.indexOf(to) > INTEGERS.indexOf(from);
  if (to === 'numeric') return true;
  const m = /^numeric\((\d+),(\d+)\)$/.exec(to);
  return m !== null && Number(m[1]) - Number(m[2]) >= DIGITS[from]!;
}

/** A literal, possibly cast: what ALTER TYPE carries over as the same value. */
const CONSTANT = /^(\(?-?\d+(\.\d+)?\)?|'(?:[^']|'')*'|true|false)(::[a-z ]+(\(\d+(,\d+)?\))?)*$/;

/** The column a chain of casts ends at (`c::bigint`, `CAST(c AS bigint)`), and where it is; null: anything else. */
function castOf(expr: Record<string, any> | undefined): { name: string; location: number } | null {
  let e = expr;
  while (e?.TypeCast) e = e.TypeCast.arg;
  const fields = e?.ColumnRef?.fields ?? [];
  if (fields.length !== 1 || !fields[0].String) return null;
  return { name: fields[0].String.sval, location: e!.ColumnRef.location };
}

/** The length in bytes of the identifier at byte `at` (quoted or not). */
function identLength(buf: Buffer, at: number): number {
  const rest = buf.subarray(at).toString('utf8');
  const m = rest.startsWith('"')
    ? /^"(?:[^"]|"")*"/.exec(rest)
    : /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(rest);
  return Buffer.byteLength(m?.[0] ?? '');
}

/**
 * The trigger function's body as a string without a semicolon in it (\073 stands for each): the folder
 * `plan --rewrite --apply` writes is deployed by Prisma, whose driver-adapter engine splits a script
 * at every semicolon, dollar quotes or not.
 */
const body = (assign: string) =>
  `E'BEGIN ${assign.replace(/\\/g, '\\\\').replace(/'/g, "''")}\\073 RETURN NEW\\073 END'`;

export type TypeChange = { refuse: string } | { steps: TypeStepSpec[]; narrows: boolean };

/** Why the change needs the application, or the steps that make it without it. */
export function expandContract(o: {
  sql: string;
  table: string;
  /** The table's name as plan shows it. */
  shown: string | null;
  relname: string;
  schema: string | null;
  column: string;
  def: Record<string, any>;
  facts: ColumnTypeFacts | null;
  primaryKey: string | null;
  batchRows: number;
  serverVersionNum: number;
}): TypeChange {
  const { facts, def, column } = o;
  if (!facts) return { refuse: `the column ${column} is not on this target yet` };
  const to = targetType(def.typeName);
  if (def.collClause) return { refuse: 'a COLLATE clause: no safe form is offered for it' };
  const fit = to ? fits(facts.type, to) : false;
  if (!to || !fit)
    return {
      refuse: `a change from ${facts.type} to this type may fail or round values: no safe form is offered for it`,
    };
  if (o.serverVersionNum < 120000) return { refuse: 'before PostgreSQL 12, the swap’s SET NOT NULL scans the table' };
  const cast = def.raw_default ? castOf(def.raw_default) : null;
  if (def.raw_default && cast?.name !== column)
    return { refuse: `the USING expression is not a plain cast of ${column}` };
  if (facts.dependents.length)
    return { refuse: `${column} is used by ${facts.dependents.join(', ')}, which a new column would not inherit` };
  if (facts.identity) return { refuse: `${column} is an identity column` };
  if (facts.generated) return { refuse: `${column} is a generated column` };
  if (facts.inherited) return { refuse: `${o.shown} is partitioned or inherited` };
  if (facts.published)
    return {
      refuse: `${o.shown} is published for logical replication, and a subscriber's table would not have the new column`,
    };
  if (facts.privileges) return { refuse: `${column} has privileges of its own, which a new column would not have` };
  if (facts.comment) return { refuse: `${column} has a comment, which a new column would not have` };
  if (facts.defaultExpr !== null && !CONSTANT.test(facts.defaultExpr))
    return { refuse: `its default (${facts.defaultExpr}) is not a constant` };
  if (!o.primaryKey || !facts.integerKey)
    return { refuse: `${o.shown} has no single-column integer primary key to copy the rows in batches by` };

  const buf = Buffer.from(o.sql, 'utf8');
  const using = [...o.sql.matchAll(/\bUSING\b/gi)].pop();
  const usingAt = using ? Buffer.byteLength(o.sql.slice(0, using.index)) : undefined;
  const typeText = bytesBetween(o.sql, def.typeName.location, usingAt);
  const col = ident(column);
  const fresh = ident(`${column.slice(0, 50)}${NEW_SUFFIX}`);
  // Without USING, ALTER TYPE converts as an assignment does: the copy assigns, never casts.
  let value = col;
  let newRow = `NEW.${col}`;
  if (def.raw_default && cast && usingAt !== undefined) {
    const from = usingAt + 'USING'.length;
    const len = identLength(buf, cast.location);
    value = bytesBetween(o.sql, from);
    newRow = `${bytesBetween(o.sql, from, cast.location)}NEW.${col}${buf
      .subarray(cast.location + len)
      .toString('utf8')
      .trimEnd()}`;
  }
  const base = `${o.relname.slice(0, 22)}_${column.slice(0, 22)}`;
  const fn = (o.schema ? `${ident(o.schema)}.` : '') + ident(`${base}${SYNC_SUFFIX}`);
  // Row triggers fire in name order: the copy comes after any other BEFORE trigger that sets the column.
  // Its WHEN (evaluated after those triggers too) spares the function call on rows that already
  // agree, above all the batched copy's own: a plpgsql call per row was about a fifth of the copy's time.
  const trigger = ident(`zz_${base}${SYNC_SUFFIX}`);
  const check = ident(`${base}__citadel_not_null`);
  const t = o.table;
  const steps: TypeStepSpec[] = [
    {
      action: {
        type: 'sql',
        transactional: true,
        sql:
          `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${fresh} ${typeText};\n` +
          `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${body(`NEW.${fresh} := ${newRow}`)};\n` +
          `DROP TRIGGER IF EXISTS ${trigger} ON ${t};\n` +
          `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW WHEN (NEW.${fresh} IS DISTINCT FROM ${newRow}) EXECUTE FUNCTION ${fn}()`,
      },
      title: `add ${fresh} ${typeText} (nullable, no default: no rewrite) and the trigger that fills it on every write`,
      lock: 'ACCESS EXCLUSIVE',
      relation: o.shown,
    },
    {
      action: {
        type: 'backfill',
        table: t,
        column: fresh,
        key: ident(o.primaryKey),
        batchRows: o.batchRows,
        value,
        // Any row that differs, not only an empty one: a leftover of an attempt no history row records
        // (rolled back, its trigger dropped meanwhile) may hold stale values; the first step takes it over.
        todo: `${fresh} IS DISTINCT FROM ${value}`,
      },
      title: `copy ${column} into ${fresh} in batches of ${o.batchRows} by ${o.primaryKey}, each its own transaction`,
      lock: 'ROW EXCLUSIVE',
      relation: o.shown,
      scans: true,
    },
  ];
  if (facts.notNull)
    steps.push(
      {
        action: {
          type: 'sql',
          transactional: true,
          sql: `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${fresh} IS NOT NULL) NOT VALID`,
        },
        title: `add CHECK (${fresh} IS NOT NULL) NOT VALID (no scan)`,
        lock: 'ACCESS EXCLUSIVE',
        relation: o.shown,
      },
      {
        action: { type: 'sql', transactional: true, sql: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check}` },
        title: 'validate the check (scans, writes go on)',
        lock: 'SHARE UPDATE EXCLUSIVE',
        relation: o.shown,
        scans: true,
      },
    );
  const swap = [
    `DROP TRIGGER ${trigger} ON ${t}`,
    `DROP FUNCTION ${fn}()`,
    `ALTER TABLE ${t} DROP COLUMN ${col}`,
    `ALTER TABLE ${t} RENAME COLUMN ${fresh} TO ${col}`,
    ...(facts.notNull ? [`ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`] : []),
    ...(facts.defaultExpr !== null ? [`ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${facts.defaultExpr}`] : []),
    ...(facts.notNull ? [`ALTER TABLE ${t} DROP CONSTRAINT ${check}`] : []),
  ];
  steps.push({
    action: { type: 'sql', transactional: true, sql: swap.join(';\n') },
    title: `swap: drop the trigger and the old ${column}, rename ${fresh} to ${column}${facts.notNull ? ', SET NOT NULL (the valid check spares the scan)' : ''}${facts.defaultExpr !== null ? ', its default' : ''} (catalog only)`,
    lock: 'ACCESS EXCLUSIVE',
    relation: o.shown,
  });
  return { steps, narrows: fit === 'narrows' };
}
