// What PostgreSQL shows for a Prisma field: its column type as format_type() prints it, and its
// default as a kind that survives PostgreSQL's rewriting of the expression ('x'::text, nextval(...)).
import type { Attribute, Value } from '@mrleebo/prisma-ast';

/** The column type Prisma Migrate creates for a scalar without @db.* (PostgreSQL connector). */
const SCALAR: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

export const isScalar = (type: string) => type in SCALAR;

/** @db.NAME(args) -> format_type(); a precision left out matches any (Prisma's defaults vary by version). */
function nativeType(name: string, args: string[]): string | undefined {
  const p = args.length ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Text':
      return 'text';
    case 'VarChar':
      return `character varying${p}`;
    case 'Char':
      return `character${p || '(1)'}`;
    case 'Uuid':
      return 'uuid';
    case 'Citext':
      return 'citext';
    case 'Inet':
      return 'inet';
    case 'Xml':
      return 'xml';
    case 'Bit':
      return `bit${p || '(1)'}`;
    case 'VarBit':
      return `bit varying${p}`;
    case 'Boolean':
      return 'boolean';
    case 'SmallInt':
      return 'smallint';
    case 'Integer':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Oid':
      return 'oid';
    case 'Real':
      return 'real';
    case 'DoublePrecision':
      return 'double precision';
    case 'Decimal':
      return `numeric${p}`;
    case 'Money':
      return 'money';
    case 'Timestamp':
      return `timestamp${p} without time zone`;
    case 'Timestamptz':
      return `timestamp${p} with time zone`;
    case 'Date':
      return 'date';
    case 'Time':
      return `time${p} without time zone`;
    case 'Timetz':
      return `time${p} with time zone`;
    case 'Json':
      return 'json';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    default:
      return undefined;
  }
}

/** A string literal of the schema language, unquoted. */
export function unquote(v: unknown): string {
  const s = String(v);
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(["\\])/g, '$1') : s;
}

/** The expected type, or undefined when the type cannot be told (an unknown @db attribute). */
export function columnType(scalar: string, attrs: Attribute[]): { type?: string; native?: string } {
  const db = attrs.find((a) => a.group === 'db');
  if (!db) return { type: SCALAR[scalar] };
  const args = (db.args ?? []).map((a) => String(a.value).replace(/\s+/g, ''));
  return { type: nativeType(db.name, args), native: `@db.${db.name}${args.length ? `(${args.join(', ')})` : ''}` };
}

/** The types format_type() prints, compared: a precision the schema leaves out matches any. */
export function sameType(expected: string, actual: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const e = norm(expected);
  const a = norm(actual);
  if (e === a) return true;
  return !/\(/.test(e.replace(/\[\]$/, '')) && a.replace(/\(\d+(,\d+)?\)/, '') === e;
}

export type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'sequence' }
  | { kind: 'now' }
  | { kind: 'value'; value: string }
  | { kind: 'expression'; sql?: string };

/** The @default of a field as the database holds it; uuid()/cuid() are made by the client, not the database. */
export function expectedDefault(attrs: Attribute[], enumValue: (v: string) => string | undefined): ExpectedDefault {
  const d = attrs.find((a) => a.name === 'default' && !a.group);
  const v = d?.args?.[0]?.value as Value | { type: 'keyValue' } | undefined;
  if (v === undefined || v === null) return { kind: 'none' };
  if (typeof v === 'object' && !Array.isArray(v) && 'type' in v) {
    if (v.type === 'function') {
      if (v.name === 'autoincrement' || v.name === 'sequence') return { kind: 'sequence' };
      if (v.name === 'now') return { kind: 'now' };
      if (v.name === 'dbgenerated')
        return { kind: 'expression', ...(v.params?.length ? { sql: unquote(v.params[0]) } : {}) };
      return { kind: 'none' }; // uuid(), cuid(), nanoid(), ulid(): filled in by Prisma Client
    }
    return { kind: 'expression' }; // a list default: present, its text is PostgreSQL's ARRAY[...]
  }
  const s = String(v);
  if (s.startsWith('"')) return { kind: 'value', value: unquote(s) };
  return { kind: 'value', value: enumValue(s) ?? s };
}

/** A default as the schema writes it, for the words ("@default(0)"). */
export function defaultText(attrs: Attribute[]): string {
  const d = attrs.find((a) => a.name === 'default' && !a.group);
  const show = (v: unknown): string => {
    if (v && typeof v === 'object' && 'type' in v) {
      const f = v as { type: string; name?: string; params?: unknown[]; args?: unknown[] };
      if (f.type === 'function') return `${f.name}(${(f.params ?? []).map(show).join(', ')})`;
      if (f.type === 'array') return `[${(f.args ?? []).map(show).join(', ')}]`;
    }
    return String(v);
  };
  return d ? `@default(${show(d.args?.[0]?.value)})` : '';
}

/** A database default (pg_get_expr) against the schema's: same kind, same literal once casts are gone. */
export function sameDefault(expected: ExpectedDefault, actual: string | null, identity: boolean): boolean {
  if (expected.kind === 'sequence') return identity || /^nextval\(/i.test(actual ?? '');
  if (identity) return false;
  if (expected.kind === 'none') return actual === null;
  if (actual === null) return false;
  if (expected.kind === 'now') return /^(CURRENT_TIMESTAMP|now\(\))/i.test(actual) || /^\(?now\(\)/i.test(actual);
  if (expected.kind === 'expression') {
    if (!expected.sql) return true;
    const norm = (s: string) =>
      s
        .toLowerCase()
        .replace(/::[\w ."]+(\[\])?/g, '')
        .replace(/[\s()]/g, '');
    return norm(expected.sql) === norm(actual);
  }
  const literal = literalOf(actual);
  if (literal === undefined) return false;
  if (literal === expected.value) return true;
  const a = Number(literal);
  const e = Number(expected.value);
  return literal !== '' && Number.isFinite(a) && Number.isFinite(e) && a === e;
}

/** 'x'::text -> x; 0 -> 0; (-1) -> -1; anything else: undefined. */
function literalOf(expr: string): string | undefined {
  let s = expr.trim();
  while (/^\(.*\)$/.test(s)) s = s.slice(1, -1).trim();
  s = s.replace(/(::[\w ."]+(\(\d+(,\d+)?\))?(\[\])?)+$/, '');
  while (/^\(.*\)$/.test(s)) s = s.slice(1, -1).trim();
  const q = /^'((?:[^']|'')*)'$/.exec(s);
  if (q) return q[1]!.replace(/''/g, "'");
  return /^-?[\d.]+(e-?\d+)?$|^(true|false)$/i.test(s) ? s.toLowerCase() : undefined;
}
