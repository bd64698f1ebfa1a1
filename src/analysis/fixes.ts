// The fixes plan proposes for the two defects the guide itself names, computed here and applied by
// apply.ts. Both are mechanical and safe:
// - a wrong identifier ("User" for users) is rewritten where the parser located it as a relation
//   reference, never by text search: "UserRole" or a column called "User" stay as they are;
// - a migration that needs a relation from a later one is renamed so that it sorts after it. The
//   scheme: the new name is the dependency's name, an underscore, then the migration's own name
//   (20251202_add_owner... -> organization_module_20251202_add_owner...). A name sorts right after
//   its own prefix, so it runs just after the migration it depends on, and migrations moved behind
//   the same dependency keep their original order among themselves. Chains are resolved by repeating
//   the analysis on the new order until nothing is used before it is created.
import {
  analyzeOrder,
  type Dependency,
  type IdentifierRewrite,
  type KnownNames,
  type ParsedMigration,
} from './runbook.js';
import { quoteIdent } from './names.js';

export interface Rename {
  from: string;
  to: string;
  /** The migration it must run after. */
  after: string;
}

export interface RenameProposal {
  renames: Rename[];
  /** Dependencies no folder order satisfies (a cycle), or that would need an applied migration renamed. */
  unresolved: Dependency[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function proposeRenames(
  pending: ParsedMigration[],
  existing: KnownNames,
  taken: Iterable<string>,
): RenameProposal {
  const current = new Map(pending.map((m) => [m.name, m.name]));
  const original = new Map(pending.map((m) => [m.name, m.name]));
  const after = new Map<string, string>();
  const takenLower = new Set([...taken].map((n) => n.toLowerCase()));
  let deps: Dependency[] = [];
  for (let round = 0; round < 8; round++) {
    const ordered = pending
      .map((m) => ({ ...m, name: current.get(original.get(m.name)!)! }))
      .sort((a, b) => byName(a.name, b.name));
    deps = analyzeOrder(ordered, existing).dependencies;
    if (!deps.length) break;
    const origOf = new Map([...current].map(([orig, now]) => [now, orig]));
    const latest = new Map<string, string>();
    for (const d of deps) {
      const prev = latest.get(d.migration);
      if (!prev || byName(d.needs, prev) > 0) latest.set(d.migration, d.needs);
    }
    for (const [now, needs] of latest) {
      const orig = origOf.get(now)!;
      let next = `${needs}_${orig}`;
      for (let n = 2; takenLower.has(next.toLowerCase()) && n < 100; n++) next = `${needs}_${n}_${orig}`;
      current.set(orig, next);
      after.set(orig, origOf.get(needs) ?? needs);
    }
  }
  const renames: Rename[] = [];
  for (const [orig, now] of current) if (orig !== now) renames.push({ from: orig, to: now, after: after.get(orig)! });
  return { renames, unresolved: deps };
}

/** One changed span of a file. */
export interface Edit {
  start: number;
  end: number;
  text: string;
  line: number;
}

/** Reads the identifier token at a byte offset the parser gave: "quoted" or plain. */
export function identifierAt(bytes: Buffer, at: number): { start: number; end: number; name: string } | undefined {
  if (bytes[at] === 0x22) {
    let i = at + 1;
    let name = '';
    let chunk = i;
    for (;;) {
      if (i >= bytes.length) return undefined;
      if (bytes[i] === 0x22) {
        name += bytes.subarray(chunk, i).toString('utf8');
        if (bytes[i + 1] === 0x22) {
          name += '"';
          i += 2;
          chunk = i;
          continue;
        }
        return { start: at, end: i + 1, name };
      }
      i++;
    }
  }
  let i = at;
  const identChar = (b: number) =>
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x5f ||
    b === 0x24 ||
    b >= 0x80;
  while (i < bytes.length && identChar(bytes[i]!)) i++;
  if (i === at) return undefined;
  // PostgreSQL folds unquoted identifiers to lower case (ASCII letters only).
  return {
    start: at,
    end: i,
    name: bytes
      .subarray(at, i)
      .toString('utf8')
      .replace(/[A-Z]+/g, (s) => s.toLowerCase()),
  };
}

/** The relation-name token of a reference: after "schema ." when the reference is qualified. */
function relationToken(bytes: Buffer, location: number, qualified: boolean) {
  let tok = identifierAt(bytes, location);
  if (!tok || !qualified) return tok;
  let i = tok.end;
  while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]!))) i++;
  if (bytes[i] !== 0x2e) return undefined;
  i++;
  while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]!))) i++;
  tok = identifierAt(bytes, i);
  return tok;
}

/** The edits that rewrite the references; a location whose token is not the expected name is skipped. */
export function rewriteEdits(bytes: Buffer, rewrites: IdentifierRewrite[]): { edits: Edit[]; skipped: number } {
  const edits: Edit[] = [];
  let skipped = 0;
  for (const rw of rewrites) {
    const bare = rw.from.includes('.') ? rw.from.slice(rw.from.lastIndexOf('.') + 1) : rw.from;
    const to = rw.to.includes('.') ? rw.to.slice(rw.to.lastIndexOf('.') + 1) : rw.to;
    for (const use of rw.uses) {
      const tok = relationToken(bytes, use.location, use.qualified);
      if (!tok || tok.name !== bare) {
        skipped++;
        continue;
      }
      edits.push({ start: tok.start, end: tok.end, text: quoteIdent(to), line: use.line });
    }
  }
  edits.sort((a, b) => a.start - b.start);
  return { edits, skipped };
}

export function applyEdits(bytes: Buffer, edits: Edit[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    if (e.start < at) continue; // overlapping edits cannot happen for distinct tokens; be safe anyway
    parts.push(bytes.subarray(at, e.start), Buffer.from(e.text, 'utf8'));
    at = e.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

/** A unified diff of two versions of a file whose edits never add or remove lines. */
export function lineDiff(label: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const out = [`--- a/${label}`, `+++ b/${label}`];
  if (a.length !== b.length) {
    out.push(`@@ -1,${a.length} +1,${b.length} @@`, ...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`));
    return out.join('\n');
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    out.push(`@@ -${i + 1} +${i + 1} @@`, `-${a[i]}`, `+${b[i]}`);
  }
  return out.join('\n');
}
