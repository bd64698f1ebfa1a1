import type { Db } from '../postgres/connect.js';

/** A failure as the diagnosis reads it: the server's fields, not the driver's error object. */
export interface FailureInfo {
  code: string;
  message: string;
  table?: string;
  column?: string;
  constraint?: string;
  detail?: string;
}

export interface DiagnosisContext {
  /** The failing statement's text. */
  statement: string;
  line?: number;
  /** A connection that can still query (not the aborted transaction's). */
  db?: Pick<Db, 'query'>;
  /** Sessions seen blocking the statement while it waited. */
  blockingPids?: number[];
  /** The migrations that run after this one, to recognise an order problem. */
  laterMigrations?: { name: string; sql: string }[];
}
