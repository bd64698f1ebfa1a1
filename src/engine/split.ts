import v8 from 'node:v8';
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';
import { nulByte } from '../runbook/scriptBytes.js';

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

const requireCjs = createRequire(import.meta.url);
let parserReady: Promise<typeof import('libpg-query')> | undefined;

/** Loads the WebAssembly parser once (about 35 ms); headless commands that do not split never pay it. */
export function parser(): Promise<typeof import('libpg-query')> {
  // V8 moves hot WebAssembly from its baseline compiler (Liftoff) to its optimising one, and for this
  // parser the move costs more than it earns: kept on Liftoff, parsing 160 scripts in a new process
  // takes 23 ms instead of 35-60 ms, and a 5 MB script parses no slower (bench/parser.bench.ts).
  // The flag must be set before the module is compiled.
  if (!parserReady) v8.setFlagsFromString('--liftoff-only');
  // The package is CommonJS: require() skips the scan of its exports that import() makes (~6 ms).
  parserReady ??= Promise.resolve().then(async () => {
    const m = requireCjs('libpg-query') as typeof import('libpg-query');
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
    advice = "fix the SQL (PostgreSQL's own parser rejects it)",
  ) {
    super(`${file}, line ${line}: ${reason}: ${advice}.`, 'bad-input');
  }
}

/**
 * Larger scripts are refused before parsing. The WebAssembly parser holds the whole tree (about 25 times
 * the text: 1.3 GB for 50 MB) and aborts near 600 MB of it; running hundreds of thousands of statements
 * one by one, each journaled, takes minutes. A script this size is a data load, not a schema change.
 */
export const MAX_SPLIT_BYTES = 16 * 1024 * 1024;

/** Splits a script into statements with the PostgreSQL parser: never with regular expressions. */
export async function splitStatements(sql: string, file = 'migration.sql'): Promise<SqlStatement[]> {
  const pg = await parser();
  const out: SqlStatement[] = [];
  // The parser refuses an empty string; Prisma applies an empty migration.sql as a migration with no steps.
  if (!/[^ \t\n\r\f\v]/.test(sql)) return out;
  const size = Buffer.byteLength(sql);
  if (size > MAX_SPLIT_BYTES) throw tooLarge(file, size);
  // The parser's C code reads up to a NUL: what follows would silently not run.
  const nul = sql.indexOf('\0');
  if (nul >= 0) throw nulByte(file, Buffer.byteLength(sql.slice(0, nul)));
  let tree: { stmts?: RawStatement[] };
  try {
    tree = pg.parseSync(sql);
  } catch (err) {
    if (/Program terminated|out of memory|Aborted/i.test((err as Error).message ?? '')) throw tooLarge(file, size);
    throw syntaxError(pg, sql, file, err);
  }
  collect(pg, sql, tree, file, 0, out);
  return out;
}

const tooLarge = (file: string, bytes: number) =>
  new SqlSyntaxError(
    file,
    1,
    `the script is ${(bytes / 1048576).toFixed(1)} MB, more than the ${MAX_SPLIT_BYTES / 1048576} MB this tool parses and runs statement by statement`,
    'load bulk data with psql and record the migration with `citadel-migrate skip`, or split it into smaller migrations',
  );

function collect(
  pg: Parser,
  piece: string,
  tree: { stmts?: RawStatement[] },
  file: string,
  lineBase: number,
  out: SqlStatement[],
): void {
  const bytes = Buffer.from(piece, 'utf8');
  const lines = new LineCounter(bytes);
  for (const raw of tree.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const len = raw.stmt_len || bytes.length - start;
    const text = bytes.subarray(start, start + len).toString('utf8');
    const lead = leadingTrivia(text);
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    const body = withoutTrailingTrivia(pg, text.slice(lead), raw.stmt);
    const node = raw.stmt[kind] ?? {};
    const line = lineBase + lines.at(start + Buffer.byteLength(text.slice(0, lead)));
    if (kind === 'CopyStmt' && node.is_from && !node.filename) throw copyFromStdin(file, line);
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
}

interface RawStatement {
  stmt: Record<string, any>;
  /** Byte offsets into the UTF-8 script (absent for 0 / "to the end"). */
  stmt_location?: number;
  stmt_len?: number;
}
type Parser = Awaited<ReturnType<typeof parser>>;

const copyFromStdin = (file: string, line: number) =>
  new SqlSyntaxError(
    file,
    line,
    'COPY ... FROM stdin reads its rows from the client, which only psql can send',
    'load the data with psql, or write it as INSERT statements',
  );

/** The parser's error, placed on its line; a COPY followed by its inline data is named as such. */
function syntaxError(pg: Parser, sql: string, file: string, err: unknown, lineBase = 0): SqlSyntaxError {
  const e = err as { message?: string; cursorPosition?: number; sqlDetails?: { cursorPosition?: number } };
  // libpg-query reports PostgreSQL's cursor as a 0-based count of characters (code points), not bytes.
  const cursor = e.sqlDetails?.cursorPosition ?? e.cursorPosition ?? 0;
  const before = codePointPrefix(sql, cursor);
  const line = lineBase + before.split('\n').length;
  // psql's COPY ... FROM stdin data after the statement is not SQL: say so instead of "syntax error at 1".
  const lineStart = before.lastIndexOf('\n') + 1;
  try {
    const head = sql.slice(0, lineStart);
    const stmts: RawStatement[] = /[^ \t\n\r\f\v]/.test(head) ? (pg.parseSync(head).stmts ?? []) : [];
    const last = stmts[stmts.length - 1];
    const copy = last?.stmt.CopyStmt;
    if (copy?.is_from && !copy.filename) {
      const text = Buffer.from(head, 'utf8')
        .subarray(last!.stmt_location ?? 0)
        .toString('utf8');
      const at =
        Buffer.from(head, 'utf8')
          .subarray(0, last!.stmt_location ?? 0)
          .toString('utf8') + text.slice(0, leadingTrivia(text));
      return copyFromStdin(file, lineBase + at.split('\n').length);
    }
  } catch {
    // the text before the error line is itself not SQL: report the parser's error
  }
  return new SqlSyntaxError(file, line, (e.message ?? 'syntax error').replace(/\s+/g, ' ').trim());
}

/** The first n code points of s (PostgreSQL counts characters, JavaScript counts UTF-16 units). */
function codePointPrefix(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}

/** 1-based line of a byte offset; offsets are asked in increasing order, so one pass over the script. */
class LineCounter {
  private pos = 0;
  private line = 1;
  constructor(private readonly bytes: Buffer) {}
  at(offset: number): number {
    const end = Math.min(offset, this.bytes.length);
    if (end < this.pos) {
      this.pos = 0;
      this.line = 1;
    }
    for (let i = this.bytes.indexOf(0x0a, this.pos); i >= 0 && i < end; i = this.bytes.indexOf(0x0a, i + 1))
      this.line++;
    this.pos = end;
    return this.line;
  }
}

const PG_SPACE = /[ \t\n\r\f\v]/;

/** The text before the first token: whitespace and comments, which the parser folds into the statement. */
function leadingTrivia(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && PG_SPACE.test(text[i]!)) i++;
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

/**
 * The statement without the whitespace and comments after its last token (the parser counts them in the
 * statement up to the semicolon). A "--" may sit inside a string, so a cut is kept only where the rest is
 * nothing but comments and the text before it parses to the same tree.
 */
function withoutTrailingTrivia(pg: Parser, text: string, stmt: Record<string, any>): string {
  let body = text.replace(/[ \t\n\r\f\v]+$/, '');
  if (body.endsWith(';')) body = body.slice(0, -1).replace(/[ \t\n\r\f\v]+$/, '');
  if (!body.includes('--') && !body.includes('/*')) return body;
  let want: string | undefined;
  for (let p = body.search(/--|\/\*/); p > 0; p = nextCommentStart(body, p + 1)) {
    if (leadingTrivia(body.slice(p)) !== body.length - p) continue;
    const head = body.slice(0, p).replace(/[ \t\n\r\f\v]+$/, '');
    try {
      const stmts: RawStatement[] = pg.parseSync(head).stmts ?? [];
      want ??= treeShape(stmt);
      if (stmts.length === 1 && treeShape(stmts[0]!.stmt) === want) return head;
    } catch {
      // cut inside a string or a dollar-quoted body: not trivia
    }
  }
  return body;
}

/** The parse tree without token positions, which differ between the script and a statement parsed alone. */
const treeShape = (stmt: Record<string, any>) => JSON.stringify(stmt, (k, v) => (k === 'location' ? undefined : v));

function nextCommentStart(s: string, from: number): number {
  const a = s.indexOf('--', from);
  const b = s.indexOf('/*', from);
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
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
