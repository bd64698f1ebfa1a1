// The rules: which statements as written hold the application for as long as they scan or rewrite
// a table, and the steps that reach the same schema holding it only for an instant. Each step says
// the lock it takes; test/integration/rewrite-rules.test.ts traces them on a real server.
import { lockOf, relName, volatileCalls, type LockMode } from '../locks.js';
import type { RewriteStep, RuleName, StatementRewrite } from './types.js';
import { bytesBetween, holdsFor, ident, qualified } from './text.js';
import { expandContract, newType, widens, type ColumnTypeFacts } from './typeRule.js';

export interface ColumnFacts {
  name: string;
  type: string;
  notNull: boolean;
}

export interface TableFacts {
  present: boolean;
  estimatedRows: number | null;
  bytes: number;
  /** The single-column primary key, which batches are keyed by (null: none, or several columns). */
  primaryKey: string | null;
  columns: ColumnFacts[];
}

export interface RuleInput {
  /** The statement's text, and its parse tree with locations relative to that text. */
  sql: string;
  kind: string;
  node: Record<string, any>;
  line: number;
  transactional: boolean;
  table: (rv: { schemaname?: string; relname?: string }) => Promise<TableFacts>;
  /** A column's facts for a type change's safe form (absent: no such form is offered). */
  column?: (rv: { schemaname?: string; relname?: string }, name: string) => Promise<ColumnTypeFacts | null>;
  serverVersionNum: number;
  batchRows: number;
}

type Rv = { schemaname?: string; relname?: string };

const step = (
  s: Omit<RewriteStep, 'others' | 'scans' | 'rewrites' | 'holds'> & Partial<RewriteStep> & { long?: boolean },
): RewriteStep => {
  const { long, ...rest } = s;
  return {
    others: [],
    scans: false,
    rewrites: false,
    holds: holdsFor(s.lock, Boolean(long)),
    ...rest,
  };
};

function result(input: RuleInput, rule: RuleName, note: string, steps: RewriteStep[]): StatementRewrite {
  const l = lockOf({ kind: input.kind, ast: { [input.kind]: input.node } });
  // A widening change rewrites nothing, which only the catalog knows: the step says so.
  const rewrites = rule === 'widening' ? false : l.rewrites;
  const long = l.scans || rewrites;
  const holds = rule === 'as-written' ? (steps[0]?.holds ?? holdsFor(l.lock, long)) : holdsFor(l.lock, long);
  return {
    line: input.line,
    sql: input.sql,
    rule,
    written: { lock: l.lock, relation: l.relation, scans: l.scans, rewrites, holds },
    note,
    steps,
  };
}

/** The statement as written, with the locks plan already knows it takes. */
export function asWritten(input: RuleInput, note: string, newTable = false): StatementRewrite {
  const l = lockOf({ kind: input.kind, ast: { [input.kind]: input.node } });
  const long = l.scans || l.rewrites;
  return result(input, 'as-written', note, [
    step({
      action: { type: 'sql', sql: input.sql, transactional: input.transactional },
      title: 'as written',
      lock: l.lock,
      relation: l.relation,
      others: l.others,
      scans: l.scans,
      rewrites: l.rewrites,
      long,
      ...(newTable || l.creates ? { holds: 'nothing (the table is new or empty)' } : {}),
    }),
  ]);
}

export async function rewriteStatement(input: RuleInput): Promise<StatementRewrite> {
  const { kind, node } = input;
  if (kind === 'IndexStmt') return indexRule(input);
  if (kind === 'AlterTableStmt' && node.objtype === 'OBJECT_TABLE') {
    const cmds = node.cmds ?? [];
    if (cmds.length !== 1) {
      const l = lockOf({ kind, ast: { [kind]: node } });
      return asWritten(
        input,
        l.scans || l.rewrites
          ? 'several changes in one ALTER TABLE: write each in its own statement to get a safe form'
          : 'no scan, no rewrite: safe as written',
      );
    }
    const facts = await input.table(node.relation);
    if (!facts.present)
      return asWritten(input, 'the table does not exist yet on this target: nobody waits on it', true);
    const cmd = cmds[0].AlterTableCmd ?? {};
    switch (cmd.subtype) {
      case 'AT_AddConstraint':
        return constraintRule(input, cmd.def?.Constraint ?? {}, facts);
      case 'AT_SetNotNull':
        return notNullRule(input, cmd.name);
      case 'AT_AddColumn':
        return addColumnRule(input, cmd.def?.ColumnDef ?? {}, facts);
      case 'AT_AlterColumnType':
        return typeRule(input, cmd, facts, await input.column?.(node.relation, cmd.name));
    }
  }
  return asWritten(input, 'safe as written, or no safer form');
}

async function indexRule(input: RuleInput): Promise<StatementRewrite> {
  const n = input.node;
  if (n.concurrent) return asWritten(input, 'built concurrently already');
  const facts = await input.table(n.relation);
  if (!facts.present) return asWritten(input, 'the table does not exist yet on this target: nobody waits on it', true);
  if (!n.idxname) return asWritten(input, 'an index without a name cannot be resumed safely: name it');
  const sql = input.sql.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\b/i, '$1 CONCURRENTLY');
  return result(input, 'index-concurrently', 'built concurrently: writes go on while it is built', [
    indexStep(sql, n.idxname, n.relation.schemaname ?? null, relName(n.relation)),
  ]);
}

function indexStep(sql: string, name: string, schema: string | null, table: string | null): RewriteStep {
  return step({
    action: { type: 'index', sql, index: name, schema },
    title: 'build the index concurrently (an INVALID leftover of the same name is dropped first)',
    lock: 'SHARE UPDATE EXCLUSIVE',
    relation: table,
    scans: true,
  });
}

async function constraintRule(
  input: RuleInput,
  con: Record<string, any>,
  facts: TableFacts,
): Promise<StatementRewrite> {
  const rel: Rv = input.node.relation;
  const table = qualified(rel);
  if (con.skip_validation) return asWritten(input, 'NOT VALID already: no scan');
  if (!con.conname) return asWritten(input, 'a constraint without a name cannot be validated later: name it');
  const name = ident(con.conname);
  if (con.contype === 'CONSTR_FOREIGN' || con.contype === 'CONSTR_CHECK') {
    const fk = con.contype === 'CONSTR_FOREIGN';
    const pkShown = fk ? relName(con.pktable) : null;
    const addLock: LockMode = fk ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    return result(
      input,
      'constraint-not-valid',
      'added NOT VALID (new rows are checked at once), then validated without blocking writes',
      [
        step({
          action: {
            type: 'sql',
            // ALTER TABLE locks the child, then waits for the parent: an application transaction that
            // wrote the parent row and then writes the child's (the usual order) closes a lock cycle,
            // and every retry meets the next one. Waiting for the parent first leaves the child free.
            sql: fk
              ? `LOCK TABLE ${qualified(con.pktable)} IN SHARE ROW EXCLUSIVE MODE;\n${input.sql} NOT VALID`
              : `${input.sql} NOT VALID`,
            transactional: true,
            skipIf: { kind: 'constraint-exists', table, name: con.conname },
          },
          title: 'add the constraint NOT VALID (no scan)',
          lock: addLock,
          relation: relName(rel),
          others: pkShown ? [{ relation: pkShown, lock: 'SHARE ROW EXCLUSIVE' }] : [],
        }),
        step({
          action: { type: 'sql', sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`, transactional: true },
          title: 'validate it (scans, writes go on)',
          lock: 'SHARE UPDATE EXCLUSIVE',
          relation: relName(rel),
          others: pkShown ? [{ relation: pkShown, lock: 'ROW SHARE' }] : [],
          scans: true,
        }),
      ],
    );
  }
  if (con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') {
    const plain =
      !con.indexname && !con.including?.length && !con.options?.length && !con.indexspace && !con.deferrable;
    if (!plain || con.nulls_not_distinct || !con.keys?.length)
      return asWritten(input, 'index options beyond the columns: no safe form is offered');
    const cols: string[] = con.keys.map((k: any) => k.String.sval);
    const primary = con.contype === 'CONSTR_PRIMARY';
    const steps: RewriteStep[] = [
      indexStep(
        `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${cols.map(ident).join(', ')})`,
        con.conname,
        rel.schemaname ?? null,
        relName(rel),
      ),
    ];
    // A primary key makes its columns NOT NULL, which would scan under ACCESS EXCLUSIVE. The steps are
    // there even for a column NOT NULL already (they skip themselves), so that the form stays the same
    // when a run that stopped part-way is resumed.
    if (primary) for (const c of cols) steps.push(...notNullSteps(rel, c));
    steps.push(
      step({
        action: {
          type: 'sql',
          sql: `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${name}`,
          transactional: true,
          skipIf: { kind: 'constraint-exists', table, name: con.conname },
        },
        title: 'make the index the constraint (no scan)',
        lock: 'ACCESS EXCLUSIVE',
        relation: relName(rel),
      }),
    );
    return result(
      input,
      'unique-via-index',
      'its unique index built concurrently, then attached as the constraint in an instant',
      steps,
    );
  }
  return asWritten(input, 'no safer form for this constraint');
}

/** The check's name: PostgreSQL's 63-byte limit, and unlikely to meet a name of the schema. */
function checkName(table: string, column: string): string {
  const base = `${table}_${column}`.slice(0, 50);
  return `${base}_not_null_tmp`;
}

export function notNullSteps(rel: Rv, column: string): RewriteStep[] {
  const table = qualified(rel);
  const check = ident(checkName(rel.relname ?? '', column));
  const col = ident(column);
  return [
    step({
      action: {
        type: 'sql',
        sql: `ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID`,
        transactional: true,
        skipIf: { kind: 'column-not-null', table, column },
      },
      title: `add CHECK (${column} IS NOT NULL) NOT VALID (no scan)`,
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: {
        type: 'sql',
        sql: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}`,
        transactional: true,
        skipIf: { kind: 'column-not-null', table, column },
      },
      title: 'validate the check (scans, writes go on)',
      lock: 'SHARE UPDATE EXCLUSIVE',
      relation: relName(rel),
      scans: true,
    }),
    step({
      action: { type: 'sql', sql: `ALTER TABLE ${table} ALTER COLUMN ${col} SET NOT NULL`, transactional: true },
      title: 'SET NOT NULL (the valid check spares the scan)',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
    step({
      action: { type: 'sql', sql: `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${check}`, transactional: true },
      title: 'drop the check',
      lock: 'ACCESS EXCLUSIVE',
      relation: relName(rel),
    }),
  ];
}

function notNullRule(input: RuleInput, column: string): StatementRewrite {
  if (input.serverVersionNum < 120000)
    return asWritten(input, 'before PostgreSQL 12, SET NOT NULL scans the table whatever check exists');
  return result(
    input,
    'not-null-via-check',
    'proved by a validated CHECK first, so SET NOT NULL needs no scan',
    notNullSteps(input.node.relation, column),
  );
}

const SERIAL = /^(small|big)?serial[248]?$/;

function addColumnRule(input: RuleInput, def: Record<string, any>, facts: TableFacts): StatementRewrite {
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

const CLOCK_CALL = /^(?:(?:pg_catalog|"pg_catalog")\s*\.\s*)?(?:clock_timestamp|"clock_timestamp")/i;

/**
 * The statement with each clock_timestamp() of its default read once instead (statement_timestamp(),
 * stable, so PostgreSQL 11+ keeps the value in the catalog and rewrites nothing), when reading the
 * clock is all that makes the default volatile; null otherwise (gen_random_uuid() must differ per row).
 */
function clockReadOnce(sql: string, expr: unknown): string | null {
  const calls = volatileCalls(expr).sort((a, b) => a.location - b.location);
  if (!calls.length || calls.some((c) => c.name !== 'clock_timestamp')) return null;
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

async function typeRule(
  input: RuleInput,
  cmd: Record<string, any>,
  facts: TableFacts,
  column: ColumnTypeFacts | null | undefined,
): Promise<StatementRewrite> {
  const def = cmd.def?.ColumnDef ?? {};
  const current = facts.columns.find((c) => c.name === cmd.name)?.type;
  const next = newType(def);
  if (current && next && !def.raw_default && !def.collClause && widens(current, next))
    return result(input, 'widening', `${current} to a wider type: the catalog alone changes, no rewrite`, [
      step({
        action: { type: 'sql', sql: input.sql, transactional: true },
        title: 'as written (no rewrite, no scan)',
        lock: 'ACCESS EXCLUSIVE',
        relation: relName(input.node.relation),
      }),
    ]);
  const rel: Rv = input.node.relation;
  const form =
    column === undefined
      ? { refuse: 'the column was not read' }
      : expandContract({
          sql: input.sql,
          table: qualified(rel),
          shown: relName(rel),
          relname: rel.relname ?? '',
          schema: rel.schemaname ?? null,
          column: cmd.name,
          def,
          facts: column,
          primaryKey: facts.primaryKey,
          batchRows: input.batchRows,
          serverVersionNum: input.serverVersionNum,
        });
  if ('steps' in form)
    return result(
      input,
      'expand-contract',
      'expand and contract: a new column kept equal by a trigger, filled in short batches, swapped in one short ' +
        'transaction (the column moves to the end of the table)' +
        (form.narrows
          ? '; a longer value fails the copy as it fails the file as written, and from the first step the ' +
            "application's writes of one fail as they will after it"
          : ''),
      form.steps.map((s) => step(s)),
    );
  return result(
    input,
    'type-rewrite',
    `rewrites ${relName(rel)} under ACCESS EXCLUSIVE, and no safe form runs without the application here: ${form.refuse}. ` +
      'Add a column of the new type, have the application write both (or a trigger), fill it in batches ' +
      '(`-- citadel: batch N`), move reads to it, and drop the old column in a later migration. Runs as written.',
    [
      step({
        action: { type: 'sql', sql: input.sql, transactional: true },
        title: 'as written (rewrites the table)',
        lock: 'ACCESS EXCLUSIVE',
        relation: relName(rel),
        rewrites: true,
        long: true,
      }),
    ],
  );
}
