import type { SqlStatement } from '../engine/split.js';
import type { Finding, Severity } from './findings.js';

// Statements that change the session under the engine. The engine sets its settings again for
// every migration and stops the run if Prisma's advisory lock is gone, but within the migration
// itself such a statement still switches off the protection (or, for the lock, ends the run):
// plan says so before the window, with the reason. COPY ... PROGRAM is here too: it reaches past the
// session to the server's shell.

const PRISMA_LOCK = 72707369;

interface Rule {
  rule: string;
  severity: Severity;
  message: string;
  fix: string;
}

const TIMEOUT_OFF: Rule = {
  rule: 'session-timeouts',
  severity: 'warning',
  message:
    'changes lock_timeout/statement_timeout for the rest of this migration: its later statements may wait for locks with the application queued behind them (the engine sets its own again for the next migration)',
  fix: 'remove it; use --lock-timeout / --statement-timeout of run instead',
};

const RULES: Record<string, Rule> = {
  'reset-all': {
    ...TIMEOUT_OFF,
    rule: 'session-reset',
    message:
      "RESET ALL drops the engine's lock_timeout and statement_timeout for the rest of this migration (the engine sets them again for the next one)",
  },
  role: {
    rule: 'session-role',
    severity: 'warning',
    message:
      'changes the role for the rest of this migration: objects it creates are owned by that role and its privileges apply (the bookkeeping still runs as the role that started the run)',
    fix: 'remove it and run as the owning role, or use ALTER ... OWNER TO explicitly',
  },
  session_authorization: {
    rule: 'session-authorization',
    severity: 'warning',
    message:
      'SET SESSION AUTHORIZATION changes the session user for the rest of this migration: objects it creates are owned by that user and its privileges apply (the engine returns to the user that started the run for its bookkeeping and the next migration)',
    fix: 'remove it and run as the owning role, or use ALTER ... OWNER TO explicitly',
  },
  search_path: {
    rule: 'session-search-path',
    severity: 'warning',
    message:
      'changes search_path for the rest of this migration: unqualified names resolve elsewhere (the engine restores it for its bookkeeping and the next migration)',
    fix: 'schema-qualify the names instead',
  },
  program: {
    rule: 'copy-program',
    severity: 'error',
    message:
      'COPY ... PROGRAM runs a shell command on the database server, as the operating-system user of PostgreSQL (it needs superuser or pg_execute_server_program): a migration should not run programs there',
    fix: "load the data from this machine with psql's \\copy, or write it as INSERT statements",
  },
  unlock: {
    rule: 'releases-advisory-lock',
    severity: 'error',
    message:
      "releases Prisma's advisory lock, which keeps two runs from applying the same migrations at once: the engine rolls this migration back and stops the run",
    fix: 'remove it: the run releases the lock itself when it ends',
  },
};

function ruleOf(s: SqlStatement): Rule | undefined {
  const ast = s.ast;
  const set = ast.VariableSetStmt;
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return RULES['reset-all'];
    const name = String(set.name ?? '');
    if (name === 'lock_timeout' || name === 'statement_timeout') return TIMEOUT_OFF;
    return RULES[name];
  }
  if (ast.CopyStmt?.is_program) return RULES.program;
  if (ast.DiscardStmt?.target === 'DISCARD_ALL')
    return {
      ...RULES.unlock!,
      message: `DISCARD ALL ${RULES.unlock!.message.slice('releases '.length)}; it also resets the engine's settings`,
    };
  if (releasesLock(ast)) return RULES.unlock;
  // A function or DO body is a string to the parser: its text is all there is to look at.
  if ((ast.DoStmt || ast.CreateFunctionStmt) && /\bcopy\b[^;]*\bprogram\b/i.test(s.sql)) return RULES.program;
  if (
    (ast.DoStmt || ast.CreateFunctionStmt) &&
    /pg_advisory_unlock_all\s*\(|pg_advisory_unlock\s*\(\s*72707369\s*\)|discard\s+all/i.test(s.sql)
  )
    return RULES.unlock;
  return undefined;
}

/** A call of pg_advisory_unlock_all(), or of pg_advisory_unlock(72707369), anywhere in the tree. */
function releasesLock(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(releasesLock);
  if (!node || typeof node !== 'object') return false;
  const call = (node as Record<string, any>).FuncCall;
  if (call) {
    const names = (call.funcname ?? []) as { String?: { sval?: string } }[];
    const fn = names[names.length - 1]?.String?.sval;
    if (fn === 'pg_advisory_unlock_all') return true;
    if (fn === 'pg_advisory_unlock' && (call.args ?? []).some((a: any) => a?.A_Const?.ival?.ival === PRISMA_LOCK))
      return true;
  }
  return Object.values(node).some(releasesLock);
}

export function sessionFindings(migration: string, statements: SqlStatement[]): Finding[] {
  const out: Finding[] = [];
  for (const s of statements) {
    const r = ruleOf(s);
    if (r)
      out.push({
        migration,
        statement: s.line,
        rule: r.rule,
        severity: r.severity,
        source: 'runbook',
        message: r.message,
        fix: r.fix,
      });
  }
  return out;
}
