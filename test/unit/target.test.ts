import { describe, it, expect } from 'vitest';
import { parseTarget, redactedUrl, withDatabase } from '../../src/postgres/target.js';
import { redact, registerSecret } from '../../src/postgres/secrets.js';
import { UserError } from '../../src/cli/errors.js';

describe('database URLs', () => {
  it('parses a URL and keeps the password out of every shown form', () => {
    const t = parseTarget('postgresql://dba:s3cr%40t@db.example:6543/shop?sslmode=require');
    expect(t).toMatchObject({
      database: 'shop',
      host: 'db.example',
      port: 6543,
      user: 'dba',
      password: 's3cr@t',
      sslmode: 'require',
      display: 'shop@db.example',
    });
    expect(t.redacted).toBe('postgresql://dba@db.example:6543/shop?sslmode=require');
    expect(t.libpqEnv).toMatchObject({
      PGHOST: 'db.example',
      PGPORT: '6543',
      PGUSER: 'dba',
      PGDATABASE: 'shop',
      PGPASSWORD: 's3cr@t',
      PGSSLMODE: 'require',
    });
    expect(redact('connect to s3cr@t and s3cr%40t failed')).toBe('connect to *** and *** failed');
  });

  it('accepts a Unix-socket host', () => {
    const t = parseTarget('postgresql:///shop?host=/var/run/postgresql');
    expect(t.host).toBe('/var/run/postgresql');
    expect(t.display).toBe('shop@socket:/var/run/postgresql');
  });

  it.each([
    ['', /No database given/],
    ['mysql://u@h/db', /malformed/],
    ['postgresql://u:p#x@h/db', /malformed.*%23/],
    ['postgresql://u@h:99999/db', /port|malformed/],
    ['postgresql://u@h', /names no database/],
    ['postgresql://u@h/db?sslmode=sometimes', /Unknown sslmode/],
  ])('refuses %j with one clear sentence', (url, msg) => {
    let err: unknown;
    try {
      parseTarget(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(msg);
    expect((err as UserError).kind).toBe('bad-input');
  });

  it('masks credentials in any URL, registered or not', () => {
    expect(redact('see postgres://bob:hunter2@h/db')).toBe('see postgres://bob:***@h/db');
    expect(redactedUrl('postgres://bob:hunter2@h/db')).toBe('postgres://bob@h/db');
    registerSecret('pa ss');
    expect(redact('{"x":"pa ss"}')).toBe('{"x":"***"}');
  });

  it('swaps the database and keeps the credentials', () => {
    const t = withDatabase(parseTarget('postgresql://u:pw@h:5432/a?sslmode=disable'), 'scratch_1');
    expect(t.database).toBe('scratch_1');
    expect(t.password).toBe('pw');
    expect(t.sslmode).toBe('disable');
  });
});

describe('redaction inside JSON text', () => {
  it('masks a password with quotes and backslashes in its JSON-escaped form', async () => {
    const { redactJson } = await import('../../src/postgres/secrets.js');
    registerSecret('q"uo\\te');
    const text = redactJson({ error: 'auth failed for q"uo\\te', nested: ['q"uo\\te'] });
    expect(text).not.toContain('uo\\\\te');
    expect(JSON.parse(text)).toEqual({ error: 'auth failed for ***', nested: ['***'] });
  });
});
