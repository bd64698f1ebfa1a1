// rehearse --rewrite on the terminal: per statement, the file as written and each step of its safe
// form side by side, as traced on the copy: the locks taken, rewrite or scan, and how long.
import type { RewriteRehearsal } from '../operations/rehearse.js';

type Run = {
  locks: { relation: string; mode: string; sampled?: false }[];
  rewrote: string[];
  scanned: string[];
  durationMs: number;
};

/** "SHARE ROW EXCLUSIVE on User, Post": one mode, its tables; `~` a claimed mode the sampling missed. */
function lockWords(locks: Run['locks']): string {
  if (!locks.length) return 'no table lock';
  const by = new Map<string, string[]>();
  for (const l of locks) {
    const mode = `${l.sampled === false ? '~' : ''}${l.mode}`;
    by.set(mode, [...(by.get(mode) ?? []), l.relation]);
  }
  return [...by].map(([mode, rels]) => `${mode} on ${rels.join(', ')}`).join(', ');
}

/** The title without its parenthesis: the columns say what it adds. */
const short = (title: string) => title.replace(/\s*\([^()]*\)$/, '');

const took = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const cut = (s: string, n: number) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

function row(label: string, r: Run): string {
  const touch = r.rewrote.length ? 'rewrote' : r.scanned.length ? 'scanned' : 'no scan';
  return `    ${cut(label, 44).padEnd(44)}  ${cut(lockWords(r.locks), 50).padEnd(50)}  ${touch}  ${took(r.durationMs).padStart(8)}`;
}

export function renderRehearseRewrite(r: RewriteRehearsal, where: string): string {
  const kind = r.scratch === 'sandbox' ? 'an embedded sandbox' : "a scratch database on the target's server";
  const out = [
    `REHEARSAL --rewrite of ${where} on ${kind} (${r.copy === 'schema' ? 'schema only' : 'schema and data'}, copied in ${took(r.copyMs)}): the target is untouched.`,
  ];
  if (!r.migrations.length) {
    out.push('Nothing is pending: there is nothing to rehearse.');
    return out.join('\n');
  }
  out.push(
    'Each statement as written (the file in one transaction, rolled back) and its safe form (committed step by step), traced on the copy:',
  );
  for (const m of r.migrations) {
    const steps = m.statements.reduce((n, s) => n + s.safe.length, 0);
    const written = m.asWrittenMs === null ? 'as written not rehearsed' : `as written ${took(m.asWrittenMs)}`;
    out.push('', `▶ ${m.name}  ${m.outcome}: ${written}, safe form ${took(m.safeMs)} (${steps} steps)`);
    if (m.outcome === 'not-run') continue;
    for (const s of m.statements) {
      out.push(`  line ${s.line}: ${cut(s.sql, 100)}`);
      if (s.asWritten) out.push(row('as written', s.asWritten));
      else if (m.asWrittenMs === null)
        out.push('    as written: not one transaction, so it cannot be undone on the copy: not rehearsed');
      const same = s.rule === 'as-written' || s.rule === 'widening' || s.rule === 'type-rewrite';
      for (const st of s.safe)
        out.push(row(same ? 'safe form: as written' : `safe ${st.step}. ${short(st.title)}`, st));
    }
    if (m.error)
      out.push(`  ✗ the ${m.error.form === 'safe' ? 'safe form' : 'file as written'} failed: ${m.error.message}`);
  }
  const claimed = r.migrations.some((m) =>
    m.statements.some((s) => s.safe.some((st) => st.locks.some((l) => l.sampled === false))),
  );
  if (claimed) out.push('', '~ the lock the step claims: it ended before the tracing session could see it.');
  return out.join('\n');
}
