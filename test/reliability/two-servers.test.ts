import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { adminUrl, pgPassword, query } from '../helpers/db.js';
import { cli, json } from '../helpers/cli.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/embedded.js';
import { parseTarget } from '../../src/postgres/target.js';
import { withDb } from '../../src/postgres/connect.js';
import { readServerIdentity } from '../../src/postgres/identity.js';
import { checkBackupFile, restoreBackup } from '../../src/safety/restore.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/**
 * Two real servers, A (the suite's) and B (started here), each with a database of the same name.
 * libpq fills what the URL leaves out from the service file, then from PG* variables: every session
 * and every child process of one command must reach the server those rules name, and only it.
 */
describe('one server per command, by libpq rules', () => {
  let b: Sandbox;
  const portA = Number(new URL(adminUrl()).port);
  const name = `ht_two_${randomBytes(3).toString('hex')}`;
  const src = `ht_src_${randomBytes(3).toString('hex')}`;
  const onA = (db: string) => adminUrl().replace(/\/postgres$/, `/${db}`);
  const onB = (db: string) => onA(db).replace(`:${portA}/`, `:${b.port}/`);
  // the same credentials work on both servers, as in the trial: only the port tells them apart
  const withoutPort = `postgresql://postgres:${pgPassword()}@127.0.0.1/${name}`;
  let dump = '';

  const tables = async (url: string) =>
    (
      await query<{ t: string }>(
        url,
        `SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`,
      )
    ).map((r) => r.t);
  const serviceFile = (port: number) => {
    const file = path.join(tmp('cm-svc-'), 'pg_service.conf');
    writeFileSync(file, `# a DBA's service file\n[svc]\nhost=127.0.0.1\nport=${port}\n`);
    return file;
  };

  beforeAll(async () => {
    b = await startSandbox();
    await query(b.url('postgres'), `ALTER ROLE postgres PASSWORD '${pgPassword()}'`);
    await query(adminUrl(), `CREATE DATABASE ${src}`);
    await query(
      onA(src),
      `CREATE TABLE restored (id int PRIMARY KEY); INSERT INTO restored SELECT generate_series(1, 42)`,
    );
    const made = await cli([
      'backup',
      '--bundled',
      '--json',
      '--backup-dir',
      tmp('cm-two-bk-'),
      '--journal-dir',
      tmp('cm-two-src-j-'),
      '--database-url',
      onA(src),
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    dump = json(made).path;
  }, 60_000);
  afterAll(async () => {
    await query(adminUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await query(adminUrl(), `DROP DATABASE IF EXISTS ${src} WITH (FORCE)`).catch(() => undefined);
    await b?.stop();
  });
  beforeEach(async () => {
    for (const [url, side] of [
      [adminUrl(), 'a_side'],
      [onB('postgres'), 'b_side'],
    ] as const) {
      await query(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await query(url, `CREATE DATABASE ${name}`);
      await query(
        url.replace(/\/postgres$/, `/${name}`),
        `CREATE TABLE ${side} (id int); INSERT INTO ${side} SELECT generate_series(1, 5)`,
      );
    }
  });

  const restore = (url: string, env: Record<string, string>) =>
    cli(
      [
        'backup',
        '--bundled',
        '--restore',
        dump,
        '--yes',
        '--foreign-dump',
        '--database-url',
        url,
        '--journal-dir',
        tmp('cm-two-j-'),
      ],
      { env },
    );

  it('PGPORT and a URL without a port: the restore drops and fills only the server PGPORT names', async () => {
    const r = await restore(withoutPort, { PGPORT: String(b.port) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Restored .* dropped and recreated/);
    expect(await tables(onB(name))).toEqual(['restored']);
    expect(await tables(onA(name))).toEqual(['a_side']);
  }, 60_000);

  it('PGPORT and a URL without a port: backup succeeds and dumps the server PGPORT names', async () => {
    const r = await cli(
      [
        'backup',
        '--bundled',
        '--json',
        '--backup-dir',
        tmp('cm-two-bk2-'),
        '--journal-dir',
        tmp('cm-two-j-'),
        '--database-url',
        withoutPort,
      ],
      { env: { PGPORT: String(b.port) } },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const list = await execa('pg_restore', ['--list', json(r).path]);
    expect(list.stdout).toMatch(/TABLE public b_side/);
    expect(list.stdout).not.toMatch(/a_side/);
  }, 60_000);

  it("PGSERVICE outranks PGPORT for what the URL leaves out, as in libpq: everything goes to the service's server", async () => {
    const r = await restore(withoutPort, {
      PGSERVICE: 'svc',
      PGSERVICEFILE: serviceFile(b.port),
      PGPORT: String(portA),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await tables(onB(name))).toEqual(['restored']);
    expect(await tables(onA(name))).toEqual(['a_side']);
  }, 60_000);

  it('a URL with its port outranks PGSERVICE: pg_restore does not follow the service to the other server', async () => {
    const r = await restore(onA(name), { PGSERVICE: 'svc', PGSERVICEFILE: serviceFile(b.port) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await tables(onA(name))).toEqual(['restored']);
    expect(await tables(onB(name))).toEqual(['b_side']);
  }, 60_000);

  it('a service that no file defines is one sentence, before anything is touched', async () => {
    const r = await restore(withoutPort, { PGSERVICE: 'nosuch', PGSERVICEFILE: serviceFile(b.port) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^The connection service "nosuch" \(from PGSERVICE\) is defined in no service file \(.*\): define it, or unset PGSERVICE\.$/,
    );
    expect(await tables(onA(name))).toEqual(['a_side']);
    expect(await tables(onB(name))).toEqual(['b_side']);
  }, 60_000);

  it('a restore whose drop session reaches another server than the command resolved is refused before anything is dropped', async () => {
    const resolved = await withDb(parseTarget(onA(name)), readServerIdentity);
    const other = parseTarget(onB(name));
    const checked = await checkBackupFile(dump, path.join(tmp('cm-two-none-'), 'none.jsonl'));
    await expect(restoreBackup(other, dump, checked, resolved)).rejects.toThrow(
      new RegExp(
        `^Refusing to drop and recreate ${name}: this session reached database postgres on the server with system identifier \\d+ \\(at 127\\.0\\.0\\.1 port ${b.port}\\), not database postgres on the server with system identifier \\d+ \\(at 127\\.0\\.0\\.1 port ${portA}\\) that the command resolved, so nothing was changed; check the URL, PGHOST, PGPORT and PGSERVICE\\.$`,
      ),
    );
    expect(await tables(onB(name))).toEqual(['b_side']);
  }, 60_000);
});
