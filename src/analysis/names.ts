// Which existing names a missing one probably meant. Two strengths: a "same name" match differs only
// in letter case or in a plural s ("User" vs users, the guide's Issue 6), strong enough to propose
// an automatic rewrite when it is the only one; a "nearby" match is a small typo, only suggested.

const singular = (s: string): string =>
  s.endsWith('ies') ? s.slice(0, -3) + 'y' : s.endsWith('ses') ? s.slice(0, -2) : s.endsWith('s') ? s.slice(0, -1) : s;

/** The name with case and a plural ending removed: "User", "users" and "USERS" meet. */
export const stem = (name: string): string => singular(name.toLowerCase());

/** Names that differ from `missing` only in case or plural: the candidates of an automatic fix. */
export function sameNameCandidates(missing: string, known: Iterable<string>): string[] {
  const s = stem(missing);
  const out: string[] = [];
  for (const k of known) if (k !== missing && stem(k) === s) out.push(k);
  return out.sort();
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Same-name candidates first, then names within a small edit distance (at most `limit`). */
export function nearbyNames(missing: string, known: Iterable<string>, limit = 3): string[] {
  const all = [...known];
  const same = sameNameCandidates(missing, all);
  const lower = missing.toLowerCase();
  const maxDistance = lower.length <= 4 ? 1 : 2;
  const near = all
    .filter((k) => !same.includes(k) && k !== missing)
    .map((k) => ({ k, d: editDistance(lower, k.toLowerCase()) }))
    .filter((x) => x.d <= maxDistance)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .map((x) => x.k);
  return [...same, ...near].slice(0, limit);
}

/** A name quoted for SQL a DBA will paste (always quoted: "user" is a reserved word, "User" is not users). */
export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
