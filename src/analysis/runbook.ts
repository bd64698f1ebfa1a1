// Findings across the migrations of one run, which no per-file linter can see: a relation used before
// the migration that creates it (the guide's step 4 needs organizations from step 7), a name that only
// differs in case or plural from an existing relation ("User" vs users, the guide's Issue 6), and a
// down.sql that drops what its migration did not create.
import type { SqlStatement } from '../engine/split.js';
import type { Finding } from './findings.js';
import { referencesOf, type NameUse, type StatementRefs } from './references.js';
import { sameNameCandidates, nearbyNames, quoteIdent } from './names.js';

export interface ParsedMigration {
  name: string;
  statements: SqlStatement[];
  refs: StatementRefs[];
}

export interface KnownNames {
  relations: Set<string>;
  types: Set<string>;
}

/** A reference to rewrite: `from` (as the parser read it) to `to`, at these parser locations. */
export interface IdentifierRewrite {
  migration: string;
  from: string;
  to: string;
  uses: { location: number; qualified: boolean; line: number }[];
}

/** Migration `migration` uses names that only the later migration `needs` creates. */
export interface Dependency {
  migration: string;
  needs: string;
  names: string[];
}

export interface OrderAnalysis {
  findings: Finding[];
  rewrites: IdentifierRewrite[];
  dependencies: Dependency[];
}

export function parseRefs(statements: SqlStatement[]): StatementRefs[] {
  return statements.map((s) => referencesOf(s));
}

const isSystemName = (name: string) =>
  name.startsWith('pg_') || name.startsWith('pg_catalog.') || name.startsWith('information_schema.');
const keyOf = (u: Pick<NameUse, 'kind' | 'name'>) => `${u.kind}:${u.name}`;
const label = (u: Pick<NameUse, 'kind' | 'name'>) => `${u.kind === 'type' ? 'type' : 'relation'} ${quoteIdent(u.name)}`;

/**
 * Walks the pending migrations in the order they will run, with what exists on the target, and
 * reports every name that will not exist when its statement runs (once per migration and name).
 */
export function analyzeOrder(pending: ParsedMigration[], existing: KnownNames): OrderAnalysis {
  const known = { relation: new Set(existing.relations), type: new Set(existing.types) };
  const creator = new Map<string, number>();
  pending.forEach((m, i) => {
    for (const r of m.refs) for (const c of r.creates) if (!creator.has(keyOf(c))) creator.set(keyOf(c), i);
  });

  const findings: Finding[] = [];
  const rewrites: IdentifierRewrite[] = [];
  const deps = new Map<string, Dependency>();

  // After a CREATE EXTENSION the extension's types (citext, geometry, vector...) exist, and we do
  // not know their names: an unknown type is then no longer reported.
  const EXTENSION_RELATIONS: Record<string, string[]> = {
    postgis: ['spatial_ref_sys', 'geometry_columns', 'geography_columns'],
  };
  let extensionCreated = false;
  pending.forEach((m, i) => {
    const reported = new Map<string, Finding>();
    const rewriteOf = new Map<string, IdentifierRewrite>();
    m.statements.forEach((stmt, si) => {
      const refs = m.refs[si]!;
      const ownCreates = new Set(refs.creates.map(keyOf));
      if (refs.extension) {
        extensionCreated = true;
        for (const r of EXTENSION_RELATIONS[refs.extension] ?? []) known.relation.add(r);
      }
      for (const use of refs.uses) {
        const key = keyOf(use);
        if (known[use.kind].has(use.name) || ownCreates.has(key) || isSystemName(use.name)) continue;
        if (use.kind === 'type' && extensionCreated && creator.get(key) === undefined) continue;
        const seen = reported.get(key);
        if (seen) {
          if (seen.statement !== stmt.line && !seen.alsoAt?.includes(stmt.line)) (seen.alsoAt ??= []).push(stmt.line);
          const rw = rewriteOf.get(key);
          if (rw && use.location !== undefined)
            rw.uses.push({ location: use.location, qualified: Boolean(use.qualified), line: stmt.line });
          continue;
        }
        const later = creator.get(key);
        let finding: Finding;
        if (later !== undefined && later > i) {
          const needs = pending[later]!.name;
          const dep = deps.get(`${m.name}\0${needs}`) ?? { migration: m.name, needs, names: [] };
          dep.names.push(use.name);
          deps.set(`${m.name}\0${needs}`, dep);
          finding = {
            migration: m.name,
            statement: stmt.line,
            rule: 'used-before-created',
            severity: 'error',
            message: `${label(use)} is used here but only created by the later migration ${needs}: in this order the statement fails with "does not exist"`,
            fix: '', // filled in by the fix proposals (a folder rename)
            source: 'runbook',
            relation: use.name,
          };
        } else {
          const candidates = sameNameCandidates(use.name, known[use.kind]);
          if (candidates.length === 1 && use.kind === 'relation') {
            const to = candidates[0]!;
            const rw: IdentifierRewrite = { migration: m.name, from: use.name, to, uses: [] };
            if (use.location !== undefined)
              rw.uses.push({ location: use.location, qualified: Boolean(use.qualified), line: stmt.line });
            rewriteOf.set(key, rw);
            rewrites.push(rw);
            finding = {
              migration: m.name,
              statement: stmt.line,
              rule: 'identifier-case',
              severity: 'error',
              message: `${label(use)} does not exist, but ${quoteIdent(to)} does: a quoted identifier is case-sensitive, so ${quoteIdent(use.name)} is not ${quoteIdent(to)}`,
              fix: `write ${quoteIdent(to)} instead of ${quoteIdent(use.name)}`,
              source: 'runbook',
              relation: use.name,
            };
          } else {
            const near = nearbyNames(use.name, known[use.kind]);
            finding = {
              migration: m.name,
              statement: stmt.line,
              rule: candidates.length > 1 ? 'identifier-case' : 'missing-object',
              severity: 'error',
              message: `${label(use)} does not exist on the target and no migration of this run creates it${near.length ? `; similar: ${near.map(quoteIdent).join(', ')}` : ''}`,
              fix: near.length
                ? `use the intended name (${near.map(quoteIdent).join(' or ')}), or create ${quoteIdent(use.name)} in an earlier migration`
                : `create ${quoteIdent(use.name)} in an earlier migration, or correct the name`,
              source: 'runbook',
              relation: use.name,
            };
          }
        }
        reported.set(key, finding);
        findings.push(finding);
      }
      for (const d of refs.drops) known[d.kind].delete(d.name);
      for (const c of refs.creates) known[c.kind].add(c.name);
    });
  });
  return { findings, rewrites, dependencies: [...deps.values()] };
}

/**
 * A down.sql that drops what its migration did not create would destroy something that was there
 * before (the rollback of step 6 must not drop a column of users that step 6 did not add).
 * `aliases` maps names the migration will be corrected to (e.g. "User" -> users).
 */
export function downFindings(
  name: string,
  up: StatementRefs[],
  down: SqlStatement[],
  aliases: Map<string, string> = new Map(),
): Finding[] {
  const fix = (n: string) => aliases.get(n) ?? n;
  const createdObjects = new Set<string>();
  const createdTables = new Set<string>();
  const addedParts = new Set<string>();
  for (const r of up) {
    for (const c of r.creates) createdObjects.add(keyOf({ kind: c.kind, name: fix(c.name) }));
    for (const p of r.addsParts) addedParts.add(aliasPart(p, fix));
  }
  for (const k of createdObjects) if (k.startsWith('relation:')) createdTables.add(k.slice('relation:'.length));
  const out: Finding[] = [];
  for (const stmt of down) {
    const refs = referencesOf(stmt);
    const extra: string[] = [];
    for (const d of refs.drops) if (!createdObjects.has(keyOf(d))) extra.push(label(d));
    for (const p of refs.dropsParts) {
      const table = p.split(/[.:]/)[0]!;
      if (!createdTables.has(table) && !addedParts.has(p))
        extra.push(p.includes(':') ? `constraint ${p.replace(':', '.')}` : `column ${p}`);
    }
    if (!extra.length) continue;
    out.push({
      migration: name,
      file: 'down.sql',
      statement: stmt.line,
      rule: 'down-drops-uncreated',
      severity: 'warning',
      message: `down.sql drops ${extra.join(', ')}, which the migration did not create: a rollback would destroy something that existed before it`,
      fix: 'drop only what migration.sql creates',
      source: 'runbook',
    });
  }
  return out;
}

function aliasPart(part: string, fix: (n: string) => string): string {
  const m = /^([^.:]+)([.:].*)$/.exec(part);
  return m ? fix(m[1]!) + m[2] : part;
}
