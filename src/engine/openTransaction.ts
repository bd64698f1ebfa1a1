import type { Db } from '../postgres/connect.js';
import type { SqlStatement } from './split.js';
import type { MigrationError } from './events.js';

// A migration that writes its own BEGIN and never closes it would hand the engine a session inside
// that transaction: the bookkeeping's "finished" update would go into it, and closing the session
// (or the next migration's COMMIT) would decide its fate behind the tool's back. The session's own
// word on it is the protocol's transaction status (ReadyForQuery), not the script's text:
// COMMIT AND CHAIN, a procedure or anything else may leave a transaction open.

/** The session is inside a transaction block (open or aborted), as its last ReadyForQuery said. */
export function inTransaction(db: Db): boolean {
  const status = db.getTransactionStatus();
  return status === 'T' || status === 'E';
}

/** The statement that opened the transaction still open at the end: the last BEGIN, START or ... AND CHAIN. */
function opener(statements: SqlStatement[]): SqlStatement | undefined {
  for (let i = statements.length - 1; i >= 0; i--) {
    const s = statements[i]!;
    if (!s.transactionControl) continue;
    const t = s.ast.TransactionStmt ?? {};
    if (/BEGIN|START/.test(String(t.kind)) || t.chain) return s;
  }
  return undefined;
}

const words = (s: SqlStatement) => s.sql.replace(/\s+/g, ' ').trim().toUpperCase().replace(/;$/, '');

export const UNCLOSED_TRANSACTION = 'UNCLOSED_TRANSACTION';

/** What a script that ended inside a transaction did (the caller rolls the transaction back). */
export function unclosedTransactionMessage(file: string, statements: SqlStatement[]): string {
  const s = opener(statements);
  const where = s ? ` (${words(s).slice(0, 60)} on line ${s.line})` : '';
  return `${file} opens a transaction${where} that it never closes, so everything after it was rolled back and nothing under it is committed`;
}

/** The failure of a migration that ended inside a transaction. */
export function unclosedTransaction(name: string, statements: SqlStatement[]): MigrationError {
  return {
    code: UNCLOSED_TRANSACTION,
    message: unclosedTransactionMessage(`${name}/migration.sql`, statements),
    hint: `end that transaction with COMMIT in migration.sql, then \`rollback ${name}\` (it is in the failed state) and run again`,
  };
}
