// The rules: which statements as written hold the application for as long as they scan or rewrite
// a table, and the steps that reach the same schema holding it only for an instant. Each step says
// the lock it takes; test/integration/rewrite-rules.test.ts traces them on a real server.
import { lockOf, relName, type LockMode } from '../locks.js';
import type { RewriteStep, StatementRewrite } from './types.js';
import { ident, qualified } from './text.js';
import { expandContract, newType, widens, type ColumnTypeFacts } from './typeRule.js';
import { addColumnRule } from './addColumnRule.js';
import { asWritten, notNullSteps, result, step, type RuleInput, type Rv, type TableFacts } from './forms.js';

export type { ColumnFacts, RuleInput, TableFacts } from './forms.js';

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
