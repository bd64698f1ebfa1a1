// How the runbook manifest is read field by field: each failure names the field's path from the
// document root, so a DBA can find the line to fix.

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export type Obj = Record<string, unknown>;

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Reads one mapping of the manifest; every failure names the field's path from the document root. */
export class Fields {
  constructor(
    private readonly source: string,
    readonly at: string,
    readonly obj: Obj,
  ) {}

  static of(source: string, at: string, value: unknown, required: string[], optional: string[] = []): Fields {
    const where = at || 'the manifest';
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(`${source}: ${where} must be a mapping (got ${show(value)})`);
    }
    const allowed = [...required, ...optional];
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new ManifestError(`${source}: ${where} has an unknown field "${key}" (expected: ${allowed.join(', ')})`);
      }
    }
    for (const key of required) {
      if ((value as Obj)[key] === undefined) throw new ManifestError(`${source}: ${join(at, key)} is required`);
    }
    return new Fields(source, at, value as Obj);
  }

  fail(key: string, problem: string): never {
    throw new ManifestError(`${this.source}: ${join(this.at, key)} ${problem}`);
  }

  child(key: string, required: string[], optional: string[] = []): Fields {
    return Fields.of(this.source, join(this.at, key), this.obj[key], required, optional);
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `must be a non-empty string (got ${show(v)})`);
    return v;
  }

  optStr(key: string): string | undefined {
    return this.obj[key] === undefined ? undefined : this.str(key);
  }

  num(key: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number (got ${show(v)})`);
    if (opts.integer && !Number.isInteger(v)) this.fail(key, `must be a whole number (got ${v})`);
    if (opts.min !== undefined && v < opts.min) this.fail(key, `must be at least ${opts.min} (got ${v})`);
    if (opts.max !== undefined && v > opts.max) this.fail(key, `must be at most ${opts.max} (got ${v})`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== 'boolean') this.fail(key, `must be true or false (got ${show(v)})`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.obj[key];
    if (!values.includes(v as T)) this.fail(key, `must be one of ${values.join(', ')} (got ${show(v)})`);
    return v as T;
  }

  /** A list; an absent optional list reads as empty. */
  list<T>(key: string, read: (item: unknown, at: string) => T, optional = false): T[] {
    const v = this.obj[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) this.fail(key, `must be a list (got ${show(v)})`);
    return v.map((item, i) => read(item, `${join(this.at, key)}[${i}]`));
  }

  /** An optional list of names or sentences. */
  strings(key: string): string[] {
    return this.list(
      key,
      (item, at) => {
        if (typeof item !== 'string' || item.trim() === '') {
          throw new ManifestError(`${this.source}: ${at} must be a non-empty string (got ${show(item)})`);
        }
        return item;
      },
      true,
    );
  }

  range<K extends string>(key: string, lo: K, hi: K): Record<K, number> {
    const r = this.child(key, [lo, hi]);
    const min = r.num(lo, { min: 0 });
    const max = r.num(hi, { min: 0 });
    if (min > max) r.fail(lo, `must not exceed ${hi} (${min} > ${max})`);
    return { [lo]: min, [hi]: max } as Record<K, number>;
  }
}

export const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);
