import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { adminUrl } from '../helpers/db.js';
import { makeMigrations } from '../helpers/folders.js';
import { cli, json, type CliResult } from '../helpers/cli.js';

/** Connection strings as DBAs write them: odd passwords, sslmode variants, Unix sockets. Each works or fails in one sentence. */
const PASSWORD = `p@ss:w/rd#?% 'q"\\ünï漢`;
const ROLE = `odd_${process.pid}`;
const DB = `urls_${process.pid}`;
const env = { CITADEL_JOURNAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'cm-urls-journal-')) };
const migrations = makeMigrations({ '1_a': 'CREATE TABLE t (id int);' });

async function asAdmin(sql: (c: pg.Client) => string[]) {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    for (const q of sql(c)) await c.query(q);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await asAdmin((c) => [
    `CREATE ROLE ${ROLE} LOGIN PASSWORD ${c.escapeLiteral(PASSWORD)}`,
    `CREATE DATABASE ${DB} OWNER ${ROLE}`,
  ]);
});
afterAll(async () => {
  await asAdmin(() => [`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, `DROP ROLE IF EXISTS ${ROLE}`]);
});

const server = () => new URL(adminUrl().replace(/^postgresql:/, 'http:')).host; // 127.0.0.1:PORT
const encoded = (query = '') => `postgresql://${ROLE}:${encodeURIComponent(PASSWORD)}@${server()}/${DB}${query}`;
const status = (url: string) => cli(['status', '--json', '--database-url', url, '--migrations', migrations], { env });

function expectNoPassword(r: CliResult) {
  const all = r.stdout + r.stderr;
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD), 'w/rd#', 'ünï漢', 'rd%23'])
    expect(all).not.toContain(form);
}
function expectWorks(r: CliResult) {
  expect(r.exitCode, r.stderr).toBe(1); // pending, as prisma migrate status
  expect(json(r).migrations[0]).toMatchObject({ name: '1_a', state: 'pending' });
  expect(r.stderr).toBe('');
  expectNoPassword(r);
}
function expectOneSentence(r: CliResult, code: number, message: RegExp) {
  expect(r.exitCode, r.stderr).toBe(code);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
  expectNoPassword(r);
}

describe('a password with special characters', () => {
  it('works percent-encoded, and never shows up in the output', async () => {
    expectWorks(await status(encoded()));
  });

  it('is not shown when the connection fails after authenticating (wrong database)', async () => {
    expectOneSentence(
      await status(encoded().replace(`/${DB}`, '/no_such_db')),
      3,
      /Database "no_such_db" does not exist at 127\.0\.0\.1:\d+/,
    );
  });

  it('is not shown when it is one character off', async () => {
    const url = `postgresql://${ROLE}:${encodeURIComponent(PASSWORD.replace('漢', '字'))}@${server()}/${DB}`;
    expectOneSentence(await status(url), 3, new RegExp(`Password authentication failed for user "${ROLE}"`));
  });

  it.each([
    ['the whole password', PASSWORD],
    ['a password with "/" in it', 'ab/cd'],
    ['a password with "#" in it', '12#34'],
    ['a password with "?" in it', '12?x'],
    ['a password with "/" after digits', '12/34'],
  ])('unencoded, %s gives the "malformed" sentence', async (_what, pw) => {
    const r = await status(`postgresql://${ROLE}:${pw}@${server()}/${DB}`);
    expectOneSentence(
      r,
      2,
      /^The database URL is malformed: write it as postgresql:\/\/USER@HOST:5432\/DBNAME, with the password as USER:PASSWORD before the @ \(percent-encode its special characters/,
    );
    expect(r.stderr).not.toContain(pw);
  });

  it('unencoded but harmless to the URL (@, :, space, quotes), still works', async () => {
    // WHATWG URL parsing takes the last "@" as the end of the password, as libpq does
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`ALTER ROLE ${ROLE} PASSWORD ${c.escapeLiteral(`a@b:c d'"ü`)}`);
    await c.end();
    try {
      const r = await status(`postgresql://${ROLE}:a@b:c d'"ü@${server()}/${DB}`);
      expectWorks(r);
      expect(r.stdout + r.stderr).not.toContain(`a@b:c d'"ü`);
    } finally {
      await asAdmin((a) => [`ALTER ROLE ${ROLE} PASSWORD ${a.escapeLiteral(PASSWORD)}`]);
    }
  });
});

describe('sslmode against a server without TLS', () => {
  it.each(['disable', 'prefer', 'allow'])('sslmode=%s connects', async (mode) => {
    expectWorks(await status(encoded(`?sslmode=${mode}`)));
  });

  it.each(['require', 'verify-full'])('sslmode=%s fails in one sentence naming sslmode', async (mode) => {
    expectOneSentence(
      await status(encoded(`?sslmode=${mode}`)),
      3,
      new RegExp(`does not accept TLS connections, which sslmode=${mode} demands`),
    );
  });

  it('an unknown sslmode is named', async () => {
    expectOneSentence(await status(encoded('?sslmode=maybe')), 2, /Unknown sslmode "maybe"/);
  });
});

describe('Unix-socket hosts', () => {
  const socketDir = () => inject('pgSocketDir');
  const port = () => inject('pgPort');

  it('connects through the socket folder given as ?host=', async () => {
    expectWorks(
      await status(`postgresql://${ROLE}:${encodeURIComponent(PASSWORD)}@/${DB}?host=${socketDir()}&port=${port()}`),
    );
  });

  it('connects through a percent-encoded socket folder as the host', async () => {
    expectWorks(
      await status(
        `postgresql://${ROLE}:${encodeURIComponent(PASSWORD)}@${encodeURIComponent(socketDir())}:${port()}/${DB}`,
      ),
    );
  });

  it('says the socket is missing when its folder does not exist (exit 3)', async () => {
    const r = await status(
      `postgresql://${ROLE}:${encodeURIComponent(PASSWORD)}@/${DB}?host=/nonexistent/socket/dir&port=${port()}`,
    );
    expectOneSentence(
      r,
      3,
      /No PostgreSQL server is accepting connections at the socket in \/nonexistent\/socket\/dir \(port \d+\)/,
    );
  });
});
