// What a dump says about itself, read with pg_restore (nothing is restored): the database it was
// taken from, when, how many objects of each kind it holds, and which of its functions run with
// their owner's rights (SECURITY DEFINER), which a restored dump from elsewhere could plant.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../errors.js';
import { firstLines, missingTool } from '../tools/pgTools.js';
import { scratchFolder } from '../folders.js';

export interface DumpSummary {
  /** The database the dump was taken from (the archive's dbname). */
  database: string;
  /** "2025-12-04 02:00:00 UTC", as pg_restore prints it. */
  createdAt: string;
  serverVersion?: string;
  /** TOC entries by type: { TABLE: 2, 'TABLE DATA': 2, FUNCTION: 1, ... } */
  objects: Record<string, number>;
  /** schema.name(args) of the functions and procedures declared SECURITY DEFINER. */
  securityDefiner: string[];
}

/** Entry types of more than one word, longest first, so "TABLE DATA" is not read as "TABLE". */
const MULTI_WORD_TYPES = [
  'MATERIALIZED VIEW DATA',
  'SEQUENCE OWNED BY',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER',
  'TEXT SEARCH TEMPLATE',
  'MATERIALIZED VIEW',
  'FOREIGN DATA WRAPPER',
  'FOREIGN TABLE',
  'FOREIGN SERVER',
  'PUBLICATION TABLE',
  'PUBLICATION TABLES IN SCHEMA',
  'TABLE DATA',
  'SEQUENCE SET',
  'FK CONSTRAINT',
  'CHECK CONSTRAINT',
  'DEFAULT ACL',
  'EVENT TRIGGER',
  'LARGE OBJECT',
  'USER MAPPING',
  'ROW SECURITY',
  'OPERATOR CLASS',
  'OPERATOR FAMILY',
  'SHELL TYPE',
  'BLOB DATA',
  'BLOBS',
  'STATISTICS DATA',
];

interface TocEntry {
  line: string;
  type: string;
}

/** "215; 1259 16390 TABLE public users postgres" -> TABLE. Comment lines (;) are skipped. */
function tocEntries(list: string): TocEntry[] {
  const out: TocEntry[] = [];
  for (const line of list.split('\n')) {
    const m = /^\s*\d+;\s*\d+\s+\d+\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[1]!;
    const type = MULTI_WORD_TYPES.find((t) => rest.startsWith(`${t} `)) ?? rest.split(' ')[0]!;
    out.push({ line, type });
  }
  return out;
}

const header = (list: string, key: string) => new RegExp(`^;\\s*${key}:?\\s*(.*)$`, 'mi').exec(list)?.[1]?.trim();

async function pgRestore(args: string[]): Promise<string> {
  const r = await execa('pg_restore', args, { reject: false, stdin: 'ignore', timeout: 120_000 });
  if ((r as { code?: string }).code === 'ENOENT') throw missingTool('pg_restore');
  if (r.exitCode !== 0)
    throw new UserError(
      `pg_restore cannot read ${args[args.length - 1]} (${firstLines(String(r.stderr ?? '')) || `exit ${r.exitCode}`}): it is not a backup made by pg_dump -Fc.`,
      'bad-input',
    );
  return String(r.stdout ?? '');
}

/** Reads the archive's table of contents, and the text of its functions for SECURITY DEFINER. */
export async function summarizeDump(file: string): Promise<DumpSummary> {
  const list = await pgRestore(['--list', file]);
  const entries = tocEntries(list);
  const objects: Record<string, number> = {};
  for (const e of entries) objects[e.type] = (objects[e.type] ?? 0) + 1;
  const routines = entries.filter((e) => e.type === 'FUNCTION' || e.type === 'PROCEDURE');
  let securityDefiner: string[] = [];
  if (routines.length) {
    // Only the function entries are printed (as SQL, to stdout): a schema-only dump of a large
    // database would be much longer, and data is never needed here.
    const dir = await scratchFolder('citadel-toc-');
    try {
      const listFile = path.join(dir, 'functions.list');
      await fs.writeFile(listFile, routines.map((r) => r.line).join('\n') + '\n', { mode: 0o600 });
      const sql = await pgRestore(['--use-list', listFile, '--file', '-', file]);
      securityDefiner = securityDefinerRoutines(sql);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  return {
    database: header(list, 'dbname') ?? '(unknown)',
    createdAt: header(list, 'Archive created at') ?? '(unknown)',
    serverVersion: header(list, 'Dumped from database version'),
    objects,
    securityDefiner,
  };
}

/** The routines of pg_restore's SQL whose definition says SECURITY DEFINER. */
export function securityDefinerRoutines(sql: string): string[] {
  const out: string[] = [];
  // pg_restore precedes each object with "-- Name: f(integer); Type: FUNCTION; Schema: public; Owner: x".
  const chunks = sql.split(/^-- Name: /m).slice(1);
  for (const chunk of chunks) {
    const m = /^(.*?); Type: (FUNCTION|PROCEDURE); Schema: ([^;]*);/.exec(chunk);
    if (!m) continue;
    // The clause sits between the signature and the body; a body quoting the words does not count.
    const create =
      /CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE)[\s\S]*?\s(?:AS|BEGIN ATOMIC|RETURN)\s/i.exec(chunk)?.[0] ?? chunk;
    if (/\bSECURITY DEFINER\b/i.test(create)) out.push(`${m[3] === '-' ? '' : `${m[3]}.`}${m[1]}`);
  }
  return out;
}

/** Lines for the DBA: where the dump is from, what it holds, what runs with its owner's rights. */
export function describeDump(file: string, s: DumpSummary): string[] {
  const counts = Object.entries(s.objects)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  return [
    `Dump ${path.basename(file)}: taken from database ${s.database} at ${s.createdAt}${s.serverVersion ? ` (PostgreSQL ${s.serverVersion})` : ''}`,
    `  objects: ${counts || 'none'}`,
    s.securityDefiner.length
      ? `  functions with SECURITY DEFINER (run with their owner's rights): ${s.securityDefiner.join(', ')}`
      : '  functions with SECURITY DEFINER: none',
  ];
}
