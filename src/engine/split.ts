import { UserError, ExitCode } from '../cli/errors.js';

/** One statement of a migration script, located by the real PostgreSQL parser. */
export interface SqlStatement {
  /** 0-based position in the script. */
  index: number;
  /** The statement's text as written (leading comments and blank lines trimmed, no trailing semicolon). */
  sql: string;
  /** 1-based line in migration.sql where the statement's first token is. */
  line: number;
  /** The parse-tree node type: CreateStmt, IndexStmt, AlterTableStmt, ... */
  kind: string;
  /** The parse tree of the statement (libpg-query's JSON). */
  ast: Record<string, any>;
  /** false for statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...). */
  transactional: boolean;
  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT written by the migration's author. */
  transactionControl: boolean;
}

let parserReady: Promise<typeof import('libpg-query')> | undefined;

/** Loads the WebAssembly parser once (about 35 ms); headless commands that do not split never pay it. */
export function parser(): Promise<typeof import('libpg-query')> {
  parserReady ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    return m;
  });
  return parserReady;
}

export class SqlSyntaxError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}, line ${line}: ${reason}: fix the SQL (PostgreSQL's own parser rejects it).`, ExitCode.usage);
  }
}

/** Splits a script into statements with the PostgreSQL parser: never with regular expressions. */
export async function splitStatements(sql: string, file = 'migration.sql'): Promise<SqlStatement[]> {
  const pg = await parser();
  const bytes = Buffer.from(sql, 'utf8');
  let tree: { stmts?: Array<{ stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = pg.parseSync(sql);
  } catch (err) {
    const e = err as { message?: string; cursorPosition?: number; sqlDetails?: { cursorPosition?: number } };
    const cursor = e.sqlDetails?.cursorPosition ?? e.cursorPosition ?? 0;
    throw new SqlSyntaxError(file, lineAtByte(bytes, Math.max(0, cursor - 1)), e.message ?? 'syntax error');
  }
  const out: SqlStatement[] = [];
  for (const raw of tree.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const len = raw.stmt_len || bytes.length - start;
    const text = bytes.subarray(start, start + len).toString('utf8');
    const lead = leadingTrivia(text);
    const body = text.slice(lead).replace(/;\s*$/, '');
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    const node = raw.stmt[kind] ?? {};
    const line = lineAtByte(bytes, start + Buffer.byteLength(text.slice(0, lead)));
    if (kind === 'CopyStmt' && node.is_from && !node.filename) {
      throw new SqlSyntaxError(file, line, 'COPY ... FROM stdin needs its data inline, which only psql can send');
    }
    out.push({
      index: out.length,
      sql: body,
      line,
      kind,
      ast: raw.stmt,
      transactional: isTransactional(kind, node),
      transactionControl: kind === 'TransactionStmt',
    });
  }
  return out;
}

/** The text before the first token: whitespace and comments, which the parser folds into the statement. */
function leadingTrivia(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      // nested block comments, as PostgreSQL allows them
      let depth = 0;
      do {
        if (text.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (text.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < text.length);
    } else return i;
  }
}

function lineAtByte(bytes: Buffer, offset: number): number {
  let line = 1;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Statements that PostgreSQL refuses to run inside a transaction block. */
function isTransactional(kind: string, node: Record<string, any>): boolean {
  switch (kind) {
    case 'IndexStmt':
      return !node.concurrent;
    case 'DropStmt':
      return !node.concurrent;
    case 'ReindexStmt':
      return !(node.params ?? []).some((p: any) => p?.DefElem?.defname === 'concurrently');
    case 'VacuumStmt':
      return node.is_vacuumcmd === false; // ANALYZE may run in a transaction, VACUUM may not
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'CreateSubscriptionStmt':
    case 'DropSubscriptionStmt':
      return false;
    case 'ClusterStmt':
      return Boolean(node.relation); // CLUSTER without a table cannot run in a transaction
    default:
      return true;
  }
}
