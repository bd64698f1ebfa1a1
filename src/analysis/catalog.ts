// What plan knows of the target: its relations with size and activity, its type names, its version
// and the migration history. Read in one READ ONLY transaction with short timeouts, so plan can
// neither write nor queue behind a migration or a long transaction on a busy server.
import type { Db } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { readHistory, type HistoryRow } from '../runbook/history.js';
import { qualifiedName } from './references.js';
import type { ExistingRow } from './existing.js';

export interface RelationFacts {
  schema: string;
  name: string;
  /** pg_class.relkind: r table, p partitioned, i index, v view, ... */
  kind: string;
  bytes: number;
  /** The planner's estimate; null when the table has no statistics (never analyzed). */
  estimatedRows: number | null;
  /** Rows inserted, updated and deleted since the statistics were reset. */
  writes: number;
  /** Sequential and index scans since the statistics were reset. */
  scans: number;
}

export interface TargetFacts {
  serverVersion: string;
  serverVersionNum: number;
  /** By the name a migration uses: bare for visible schemas, schema.name always. */
  relations: Map<string, RelationFacts>;
  types: Set<string>;
  history: HistoryRow[];
  /** Every named object a migration could create again (plan's "already exists" check). */
  existing?: ExistingRow[];
}

export async function readTargetFacts(db: Pick<Db, 'query'>): Promise<TargetFacts> {
  await db.query('BEGIN TRANSACTION READ ONLY');
  try {
    // Short waits: a plan that cannot get its catalog read within seconds says so instead of hanging.
    await db.query("SET LOCAL lock_timeout = '3s'");
    await db.query("SET LOCAL statement_timeout = '60s'");
    const version = (await db.query<{ num: number; version: string }>(sqlFile('server_version'))).rows[0]!;
    const rels = await db.query<RelationFacts & { visible: boolean; estimated_rows: number | null }>(
      sqlFile('plan_relations'),
    );
    const types = await db.query<{ schema: string; name: string; visible: boolean }>(sqlFile('plan_types'));
    const existing = await db.query<ExistingRow>(sqlFile('plan_existing_objects'));
    const history = await readHistory(db);
    await db.query('COMMIT');
    const relations = new Map<string, RelationFacts>();
    for (const r of rels.rows) {
      const facts: RelationFacts = {
        schema: r.schema,
        name: r.name,
        kind: r.kind,
        bytes: Number(r.bytes),
        estimatedRows: r.estimated_rows === null ? null : Number(r.estimated_rows),
        writes: Number(r.writes),
        scans: Number(r.scans),
      };
      relations.set(`${r.schema}.${r.name}`, facts);
      relations.set(qualifiedName(r.schema, r.name), facts);
      if (r.visible && !relations.has(r.name)) relations.set(r.name, facts);
    }
    const typeNames = new Set<string>();
    for (const t of types.rows) {
      typeNames.add(`${t.schema}.${t.name}`);
      typeNames.add(qualifiedName(t.schema, t.name));
      if (t.visible) typeNames.add(t.name);
    }
    return {
      serverVersion: version.version,
      serverVersionNum: version.num,
      relations,
      types: typeNames,
      history,
      existing: existing.rows,
    };
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
