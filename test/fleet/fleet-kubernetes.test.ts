import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';

const base = [
  'fleet',
  'kubernetes-job',
  '--migrations',
  '/app/prisma/migrations',
  '--image',
  'ghcr.io/acme/migrator:1.4',
];

describe('fleet kubernetes-job', () => {
  it('prints an Indexed Job whose pods run fleet run on the ledger from the Secret', async () => {
    const r = await cli([
      ...base,
      '--targets',
      '/config/targets.txt',
      '--runners',
      '3',
      '--secret',
      'fleet-creds',
      '--per-server',
      '2',
      '--canary',
      '1',
      '--waves',
      '10%,100%',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# kubectl create secret generic fleet-creds --from-literal=LEDGER_URL=/m);
    const job = parse(r.stdout);
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'citadel-fleet' },
      spec: { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0 },
    });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [c] = pod.containers;
    expect(c.image).toBe('ghcr.io/acme/migrator:1.4');
    expect(c.command).toEqual(['citadel-migrate']);
    expect(c.args.join(' ')).toBe(
      'fleet run --migrations /app/prisma/migrations --targets /config/targets.txt --ledger $(LEDGER_URL) --concurrency 4 --per-server 2 --canary 1 --waves 10%,100% --max-failures 0 --lease 30s --yes',
    );
    expect(c.env).toEqual([
      { name: 'LEDGER_URL', valueFrom: { secretKeyRef: { name: 'fleet-creds', key: 'LEDGER_URL' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'fleet-creds', key: 'PGPASSWORD', optional: true } } },
      { name: 'CITADEL_JOURNAL_DIR', value: '/var/lib/citadel-migrate' },
    ]);
    // no URL at all in the manifest outside the comment's example
    expect(r.stdout.split('\n').filter((l) => !l.startsWith('#') && /postgres(ql)?:\/\//.test(l))).toEqual([]);
  });

  it('takes the control database for --targets-sql from the Secret too', async () => {
    const r = await cli([
      ...base,
      '--targets-sql',
      'select name, url from tenants',
      '--runners',
      '2',
      '--secret',
      'fleet-creds',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = parse(r.stdout).spec.template.spec.containers[0];
    expect(c.args).toContain('select name, url from tenants');
    expect(c.env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'fleet-creds', key: 'DATABASE_URL' } },
    });
  });

  it('refuses a ledger URL on the command line and a Secret name Kubernetes would refuse', async () => {
    const withLedger = await cli([
      ...base,
      '--targets',
      '/t.txt',
      '--runners',
      '2',
      '--secret',
      's',
      '--ledger',
      'postgresql://u:pw@h/db',
    ]);
    expect(withLedger.exitCode).toBe(2);
    expect(withLedger.stderr).toContain("kubernetes-job takes the ledger's URL from the Secret");
    expect(withLedger.stderr).not.toContain('pw@');
    const badName = await cli([...base, '--targets', '/t.txt', '--runners', '2', '--secret', 'Fleet_Creds']);
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toContain('--secret "Fleet_Creds" is not a Kubernetes name');
  });
});
