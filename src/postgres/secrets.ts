// Every password the process learns is registered here, so that any text leaving the process
// (screen, JSON, journal, errors raised by libraries) can be scrubbed in one place.
//
// A password can also be an ordinary word: "postgres" is the user name, the data directory
// (/var/lib/postgresql) and the URL scheme too. Masking every occurrence of such a word mangles
// names and paths the DBA needs to read, so a word-like password is masked only where it stands as
// a secret: URL user-info, conninfo password=, PGPASSWORD=, a SQL string literal, and (in error
// texts, see redactError) wherever it stands as a whole word. A password that is not word-like
// (punctuation, or digits mixed in the way no identifier is) never appears by accident and is
// masked wherever it appears, in every form it may take.
const strong = new Set<string>();
const weak = new Set<string>();
/** Weak passwords that are also the user name they go with: masked only where they stand as a password. */
const names = new Set<string>();
/** Longest first, so that a password containing another registered one is masked whole. */
let strongOrdered: string[] = [];
let weakOrdered: string[] = [];

export const MASK = '***';

/** An identifier-like word: something a name, a path or a sentence can contain by chance. */
const isWordLike = (s: string) => /^[A-Za-z_][A-Za-z0-9_$-]*$/.test(s) && !/^(?=.*[0-9])(?=.*[A-Za-z]).{12,}$/.test(s);

/**
 * `user`: the user name of the same URL. A password equal to it is no secret from anyone who sees
 * the user name, which every output shows (lock holders, "connected as"): masking it as a whole
 * word only turned "user app" into "user ***". It stays masked where it stands as a password.
 */
export function registerSecret(secret: string | undefined | null, user?: string): void {
  if (!secret || secret.length < 1) return;
  if (isWordLike(secret)) {
    if (secret === user) names.add(secret);
    weak.add(secret);
  } else {
    strong.add(secret);
    // Its forms inside a URL and inside JSON text, which is what redactJson scrubs.
    const jsonForm = JSON.stringify(secret).slice(1, -1);
    if (jsonForm !== secret) strong.add(jsonForm);
    try {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) strong.add(encoded);
    } catch {
      // a lone surrogate cannot be encoded; the raw form is registered already
    }
  }
  strongOrdered = [...strong].sort((a, b) => b.length - a.length);
  weakOrdered = [...weak].sort((a, b) => b.length - a.length);
}

/** Credentials in URL form are masked even when the password was never registered. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@\s]*)@/gi;
const KEYWORD_PASSWORD = /(\bpassword\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi;
const ENV_PASSWORD = /(\bPGPASSWORD\s*=\s*)('[^']*'|"[^"]*"|\S+)/g;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function scrub(text: string, weakRule: (w: string) => RegExp): string {
  if (!text) return text;
  let out = text
    .replace(URL_CREDENTIALS, `$1:${MASK}@`)
    .replace(KEYWORD_PASSWORD, `$1${MASK}`)
    .replace(ENV_PASSWORD, `$1${MASK}`);
  for (const s of strongOrdered) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  for (const w of weakOrdered) {
    if (out.includes(w)) out = out.replace(weakRule(w), (m, a: string, b: string) => `${a}${MASK}${b}`);
  }
  return out;
}

/** Text for any output: the password is masked where it stands as a secret; names and paths stay readable. */
export function redact(text: string): string {
  // a word-like password inside a SQL string literal ('...'): ALTER ROLE ... PASSWORD 'x'
  return scrub(text, (w) => new RegExp(`(')${escapeRe(w)}(')`, 'g'));
}

/**
 * Error texts (a driver's message, a tool's stderr) may quote what they were given, so there a
 * word-like password is masked wherever it stands as a whole word, even at the cost of a name.
 */
export function redactError(text: string): string {
  return scrub(text, (w) =>
    names.has(w)
      ? new RegExp(`(')${escapeRe(w)}(')`, 'g')
      : new RegExp(`(^|[^A-Za-z0-9_])${escapeRe(w)}(?![A-Za-z0-9_])()`, 'g'),
  );
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
