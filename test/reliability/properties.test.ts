import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { splitStatements } from '../../src/engine/split.js';
import { checksum, checksumMatches } from '../../src/runbook/checksum.js';

// Scripts from a small grammar of valid statements, with trivia (whitespace, CRLF, comments) between them.
// A letter then a digit: never a keyword, so any of them can name a table, a column or a function.
const word = fc.stringMatching(/^[a-zA-Z][0-9][a-zA-Z0-9_]{0,6}$/);
// Text a string literal may hold: semicolons, dollars, quotes (doubled), dashes, CR/LF, non-ASCII.
const literalText = fc
  .array(fc.constantFrom('a', 'Z', ' ', ';', '$$', '$', "'", '--', '/*', '*/', '\n', '\r\n', 'é', '漢', '😀', '\\'), {
    maxLength: 12,
  })
  .map((p) => p.join(''));
const quoted = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = fc.oneof(
  word,
  word.map((w) => `"${w} ${w.toUpperCase()}"`),
  fc.constant('"漢字 tbl"'),
  fc.constant('"a;b""c"'),
);
const dollarTag = fc.constantFrom('', 'x', 'body', 'fn_1');

const createTable = fc.tuple(ident, ident).map(([t, c]) => `CREATE TABLE ${t} (${c} text NOT NULL, id int)`);
const insert = fc
  .tuple(ident, fc.array(literalText, { minLength: 1, maxLength: 3 }))
  .map(([t, vals]) => `INSERT INTO ${t} VALUES ${vals.map((v) => `(${quoted(v)})`).join(', ')}`);
const eString = literalText.map((v) => `SELECT E'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const doBlock = fc.tuple(dollarTag, literalText).map(([tag, v]) => {
  const body = v.includes(`$${tag}$`) ? 'a;b' : v; // the body must not close its own quote
  return `DO $${tag}$ BEGIN PERFORM ${quoted(body)}; RAISE NOTICE 'x;y'; END $${tag}$`;
});
const fnBody = fc
  .tuple(word, dollarTag)
  .map(([f, tag]) => `CREATE FUNCTION ${f}() RETURNS int LANGUAGE sql AS $${tag}$ SELECT 1; $${tag}$`);
const statement = fc.oneof(createTable, insert, eString, doBlock, fnBody);

const newline = fc.constantFrom('\n', '\r\n');
const trivia = fc
  .array(
    fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r\n'),
      literalText.map((t) => `-- ${t.replace(/\r?\n/g, ' ')}\n`),
      fc.constantFrom('/* a; $$ */', '/* nested /* ; */ */', '/*\r\n;\r\n*/'),
    ),
    { maxLength: 4 },
  )
  .map((p) => p.join(''));

interface Script {
  text: string;
  statements: string[];
  /** 1-based line of each statement's first token. */
  lines: number[];
}

const script = fc
  .tuple(trivia, fc.array(fc.tuple(statement, trivia, trivia, newline), { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([lead, parts, lastSemicolon]): Script => {
    let text = lead;
    const statements: string[] = [];
    const lines: number[] = [];
    parts.forEach(([stmt, before, after, nl], i) => {
      const last = i === parts.length - 1;
      // a newline ends a line comment before the next token
      text += before.endsWith('\n') || before === '' ? before : `${before}${nl}`;
      lines.push(text.split('\n').length);
      statements.push(stmt);
      text += stmt + (last && !lastSemicolon ? '' : ';') + after;
    });
    return { text, statements, lines };
  });

const isTrivia = (s: string) =>
  /^(?:[ \t\r\n]+|--[^\n]*(?:\n|$)|\/\*(?:[^*/]|\*(?!\/)|\/(?!\*)|\/\*[\s\S]*?\*\/)*\*\/)*$/.test(s);

describe('splitter properties', () => {
  it('gives back each generated statement in order, on its line, and loses nothing but trivia and semicolons', async () => {
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        const out = await splitStatements(s.text);
        expect(out.map((x) => x.sql)).toEqual(s.statements);
        expect(out.map((x) => x.line)).toEqual(s.lines);
        // every statement is found at its place, and what lies between them is whitespace, comments and ";"
        let at = 0;
        for (const st of out) {
          const i = s.text.indexOf(st.sql, at);
          expect(i).toBeGreaterThanOrEqual(at);
          expect(isTrivia(s.text.slice(at, i).replace(/;/g, ' '))).toBe(true);
          at = i + st.sql.length;
        }
        expect(isTrivia(s.text.slice(at).replace(/;/g, ' '))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('places a syntax error on its line, with CRLF and multibyte text before it', async () => {
    await fc.assert(
      fc.asyncProperty(script, newline, async (s, nl) => {
        const text = `${s.text}${nl};${nl}${nl}SELEC broken;${nl}`;
        const line = text.split('\n').length - 1;
        await expect(splitStatements(text, 'm/migration.sql')).rejects.toThrow(
          `m/migration.sql, line ${line}: syntax error at or near "SELEC"`,
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('checksum properties (as Prisma compares them)', () => {
  const text = fc
    .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r', '漢', '😀')), {
      maxLength: 20,
    })
    .map((p) => p.join(''));
  const lfOnly = text.map((t) => t.replace(/\r/g, ''));

  it('matches the CRLF and LF twins of a script both ways', () => {
    fc.assert(
      fc.property(lfOnly, (lf) => {
        const crlf = lf.replace(/\n/g, '\r\n');
        expect(checksumMatches(crlf, checksum(lf))).toBe(true);
        expect(checksumMatches(lf, checksum(crlf))).toBe(true);
        expect(checksumMatches(Buffer.from(crlf), checksum(Buffer.from(lf)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never matches a script with one character changed, added or removed (other than a line ending)', () => {
    fc.assert(
      fc.property(
        text,
        fc.nat(),
        fc.constantFrom('a', 'Z', ';', ' ', '漢', 'x'),
        fc.constantFrom('replace', 'insert', 'delete'),
        (t, pos, ch, op) => {
          const chars = Array.from(t);
          const i = chars.length ? pos % chars.length : 0;
          const changed = [...chars];
          if (op === 'insert' || chars.length === 0) changed.splice(i, 0, ch);
          else if (op === 'delete') changed.splice(i, 1);
          else changed[i] = chars[i] === ch ? `${ch}${ch}` : ch;
          const other = changed.join('');
          // Prisma accepts the script as is, with CRLF made LF, or with every LF made CRLF: nothing else
          fc.pre(![other, other.replace(/\r\n/g, '\n'), other.replace(/\n/g, '\r\n')].includes(t));
          expect(checksumMatches(other, checksum(t))).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts the unpadded checksums written by old Prisma versions, as Prisma does', () => {
    fc.assert(
      fc.property(text, (t) => {
        const digest = createHash('sha256').update(t, 'utf8').digest();
        const old = Array.from(digest, (b) => b.toString(16)).join('');
        fc.pre(old.length !== 64);
        expect(checksumMatches(t, old)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
