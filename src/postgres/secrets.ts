// Every password the process learns is registered here, so that any text leaving the process
// (screen, JSON, journal, errors raised by libraries) can be scrubbed in one place.
const secrets = new Set<string>();
/** Longest first, so that a password containing another registered one is masked whole. */
let ordered: string[] = [];

export const MASK = '***';

export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 1) return;
  secrets.add(secret);
  // Its forms inside a URL and inside JSON text, which is what redactJson scrubs.
  const jsonForm = JSON.stringify(secret).slice(1, -1);
  if (jsonForm !== secret) secrets.add(jsonForm);
  try {
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) secrets.add(encoded);
  } catch {
    // a lone surrogate cannot be encoded; the raw form is registered already
  }
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Credentials in URL form are masked even when the password was never registered. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@\s]*)@/gi;
const KEYWORD_PASSWORD = /(\bpassword\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi;

export function redact(text: string): string {
  if (!text) return text;
  let out = text.replace(URL_CREDENTIALS, `$1:${MASK}@`).replace(KEYWORD_PASSWORD, `$1${MASK}`);
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

/** JSON text of a value with every secret masked: one pass over the text (the journal's hot path). */
export function redactJson(value: unknown): string {
  return redact(JSON.stringify(value));
}

/** Deep-redacts a JSON-able value (strings only; keys are ours and never secret). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as unknown as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
