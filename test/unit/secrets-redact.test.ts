import { describe, it, expect } from 'vitest';
import { registerSecret, redact, redactError, redactJson } from '../../src/postgres/secrets.js';
import { parseTarget } from '../../src/postgres/target.js';

describe('a password that is also an ordinary word ("postgres")', () => {
  const target = parseTarget('postgresql://postgres:postgres@127.0.0.1:5432/db');

  it('names, paths and the journal target stay readable', () => {
    expect(redact(`connected to db@127.0.0.1 as postgres`)).toBe('connected to db@127.0.0.1 as postgres');
    expect(redact('12.0% free under /var/lib/postgresql/15/main')).toBe('12.0% free under /var/lib/postgresql/15/main');
    expect(target.redacted).toBe('postgresql://postgres@127.0.0.1:5432/db');
    expect(redactJson({ target: target.redacted })).toBe('{"target":"postgresql://postgres@127.0.0.1:5432/db"}');
  });

  it('is masked where it stands as a secret', () => {
    expect(redact('postgresql://postgres:postgres@127.0.0.1:5432/db')).toBe(
      'postgresql://postgres:***@127.0.0.1:5432/db',
    );
    expect(redact('host=h user=postgres password=postgres dbname=db')).toBe(
      'host=h user=postgres password=*** dbname=db',
    );
    expect(redact('PGPASSWORD=postgres pg_dump db')).toBe('PGPASSWORD=*** pg_dump db');
    expect(redact("ALTER ROLE app PASSWORD 'postgres'")).toBe("ALTER ROLE app PASSWORD '***'");
    // error texts may quote what they were given: there every whole word goes, inside a path it stays
    // (a password equal to its user name is no secret from whoever sees the name: see below)
    parseTarget('postgresql://dba:harbour@127.0.0.1:5432/db');
    expect(redactError('syntax error at or near "harbour" in /var/lib/postgresql/15/main')).toBe(
      'syntax error at or near "***" in /var/lib/postgresql/15/main',
    );
  });

  it('a password that is no word is masked wherever it appears, in every form', () => {
    registerSecret('K3y-to-the/Citadel#2026?&x');
    expect(redact('seen K3y-to-the/Citadel#2026?&x and K3y-to-the%2FCitadel%232026%3F%26x')).toBe('seen *** and ***');
    expect(redact('still as postgres')).toBe('still as postgres');
  });
});

describe('a password equal to its user name (issue 26)', () => {
  it('the user name stays readable in errors (a lock holder line); the password is masked where it stands as one', () => {
    parseTarget('postgresql://appuser:appuser@127.0.0.1:5432/db');
    expect(redactError('another run holds the migration lock: pid 5 (citadel-migrate, appuser, since 10:00:00)')).toBe(
      'another run holds the migration lock: pid 5 (citadel-migrate, appuser, since 10:00:00)',
    );
    expect(redactError("ALTER ROLE appuser PASSWORD 'appuser'")).toBe("ALTER ROLE appuser PASSWORD '***'");
    expect(redactError('postgresql://appuser:appuser@h/db')).toBe('postgresql://appuser:***@h/db');
  });
});
