import type { LocalMigration } from '../runbook/folder.js';
import type { PreparedMigration } from './migrationTypes.js';
import { splitStatements } from './split.js';
import { planSteps } from './steps.js';
import { batchDirective } from './batch.js';
import { cachedPrepared, rememberPrepared, type PreparedParts } from './parseCache.js';

// A migration made ready to run: parsed, cut into steps, its parse trees slimmed to what execution reads.

export async function prepare(m: LocalMigration, batching: boolean): Promise<PreparedMigration> {
  const cached = cachedPrepared(m.sql, batching);
  if (cached) return { migration: m, ...cached };
  const parts = await parse(m, batching);
  rememberPrepared(m.sql, batching, parts);
  return { migration: m, ...parts };
}

async function parse(m: LocalMigration, batching: boolean): Promise<PreparedParts> {
  const statements = await splitStatements(m.sql, `${m.name}/migration.sql`);
  const ownTransactions = statements.some((s) => s.transactionControl);
  const batches = new Map<number, number>();
  if (!ownTransactions)
    for (const s of statements) {
      const size = batchDirective(m.sql, s);
      if (size) batches.set(s.index, size);
    }
  const atomic = !ownTransactions && !batches.size && statements.every((s) => s.transactional);
  const steps = planSteps(statements, { batching: batching && !ownTransactions, alone: new Set(batches.keys()) });
  // Keep only what execution reads of each parse tree: a whole runbook's trees held for the length
  // of a run cost tens of megabytes in the console.
  for (const st of statements) st.ast = slimTree(st.kind, st.ast);
  return { statements, steps, atomic, ownTransactions, ...(batches.size ? { batches } : {}) };
}

function slimTree(kind: string, ast: Record<string, any>): Record<string, any> {
  const n = ast[kind] ?? {};
  return {
    [kind]: {
      concurrent: n.concurrent,
      idxname: n.idxname,
      kind: n.kind,
      chain: n.chain,
      relation: n.relation
        ? { relname: n.relation.relname, schemaname: n.relation.schemaname, alias: n.relation.alias }
        : undefined,
    },
  };
}

const SPECULATIVE_PARSE_MAX_BYTES = 256 * 1024;

/**
 * Parses migrations ahead of need, newest first (pending migrations are usually the newest), a few
 * at a time between the connections' replies. Parsing stops when the caller knows what it needs;
 * what it needs and was not parsed yet is parsed then.
 */
export class ParseAhead {
  private readonly parsed = new Map<string, Promise<PreparedMigration>>();
  private stopped = false;

  constructor(
    migrations: LocalMigration[],
    private readonly batching: boolean,
  ) {
    void this.ahead([...migrations].reverse());
  }

  private async ahead(order: LocalMigration[]): Promise<void> {
    let turn = performance.now();
    for (const m of order) {
      // About 2 ms of parsing per turn of the event loop: the connections' replies are not kept waiting.
      if (performance.now() - turn > 2) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
      if (this.stopped) return;
      // A large data script blocks the process while it parses: only when it is needed.
      if (m.bytes.length > SPECULATIVE_PARSE_MAX_BYTES) continue;
      await this.get(m).catch(() => undefined); // a failure counts only if the migration is needed
    }
  }

  get(m: LocalMigration): Promise<PreparedMigration> {
    let p = this.parsed.get(m.name);
    if (!p) this.parsed.set(m.name, (p = prepare(m, this.batching)));
    return p;
  }

  stop(): void {
    this.stopped = true;
  }
}
