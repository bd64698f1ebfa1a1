// The fleet's targets: one database URL per line (or `name URL`), from a file or from a query on a
// control database (as Atlas's `data "sql"`). Passwords are better left to the environment, ~/.pgpass
// or PGPASSFILE (libpq's rules, which parseTarget follows): a URL that carries one is used, but said.
import { readFileSync } from 'node:fs';
import { UserError, fileErrorWords } from '../errors.js';
import { parseTarget, type Target } from '../postgres/target.js';
import { withDb } from '../postgres/connect.js';

export interface FleetTarget {
  /** The name the ledger and the screens know the target by (unique in a fleet). */
  name: string;
  target: Target;
  /** host:port: targets on one server share its disk, WAL and replicas (--per-server). */
  server: string;
}

export interface TargetList {
  targets: FleetTarget[];
  /** One sentence per line whose URL carries a password (already redacted). */
  warnings: string[];
}

/** A line of the targets file: `URL` or `NAME URL`; blank lines and `#` comments are skipped. */
export function parseTargetLines(text: string, where: string): TargetList {
  const entries: { name?: string; url: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    if (parts.length > 2)
      throw new UserError(
        `${where} line ${i + 1} has ${parts.length} words: write one URL, or a name and a URL, per line.`,
        'bad-input',
      );
    entries.push(
      parts.length === 2 ? { name: parts[0], url: parts[1]!, line: i + 1 } : { url: parts[0]!, line: i + 1 },
    );
  });
  return targetsOf(entries, where);
}

function targetsOf(entries: { name?: string; url: string; line: number }[], where: string, unit = 'line'): TargetList {
  if (!entries.length)
    throw new UserError(`${where} names no database: write one postgresql:// URL (or a name and a URL) per line.`);
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  const targets = entries.map((e) => {
    let target: Target;
    try {
      target = parseTarget(e.url);
    } catch (err) {
      throw new UserError(`${where} ${unit} ${e.line}: ${(err as Error).message}`, 'bad-input');
    }
    if (hasPassword(e.url))
      warnings.push(
        `${where} ${unit} ${e.line} (${target.redacted}) carries a password: anyone who reads the list reads it; prefer PGPASSWORD, ~/.pgpass or PGPASSFILE.`,
      );
    const name = e.name ?? `${target.database}@${target.host}:${target.port}`;
    const before = seen.get(name);
    if (before !== undefined)
      throw new UserError(
        `${where} ${unit}s ${before} and ${e.line} both name ${name}: give each target its own name (NAME URL).`,
        'bad-input',
      );
    seen.set(name, e.line);
    return { name, target, server: `${target.host}:${target.port}` };
  });
  return { targets, warnings };
}

const hasPassword = (url: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/@?#]*:[^/@?#]*@/i.test(url);

/** --targets FILE */
export function readTargetsFile(file: string): TargetList {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `The targets file ${file} cannot be read (${fileErrorWords(err)}): pass --targets with a file of database URLs.`,
    );
  }
  return parseTargetLines(text, file);
}

/** --targets-sql QUERY on --database-url: the first column is the URL, or (name, url) when there are two. */
export async function queryTargets(control: Target, sql: string): Promise<TargetList> {
  const rows = await withDb(
    control,
    async (db) => {
      const r = await db.query({ text: sql, rowMode: 'array' });
      return r.rows as unknown[][];
    },
    { applicationName: 'citadel-migrate fleet (targets)' },
  ).catch((err: unknown) => {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `The --targets-sql query failed on ${control.display}: ${(err as Error).message}; it must return the URL (or a name and the URL) per row.`,
      'bad-input',
    );
  });
  const entries = rows.map((r, i) =>
    r.length >= 2 ? { name: String(r[0]), url: String(r[1]), line: i + 1 } : { url: String(r[0]), line: i + 1 },
  );
  return targetsOf(entries, 'The --targets-sql result', 'row');
}
