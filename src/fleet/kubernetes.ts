// `fleet kubernetes-job`: an Indexed Job whose pods are the fleet's runners, each running
// `fleet run --ledger …` against one shared ledger. Credentials come from a Secret the manifest
// names (LEDGER_URL, and PGPASSWORD or the control database's URL where the Secret has them);
// nothing secret is written in the manifest.
import { UserError } from '../errors.js';

export interface JobSpec {
  name: string;
  runners: number;
  image: string;
  secret: string;
  migrationsDir: string;
  /** A path inside the image (or a mounted ConfigMap), or a query on the control database. */
  targets: { file: string } | { sql: string };
  /** The fleet run's own flags, passed through as given (--concurrency, --per-server, --canary…). */
  runFlags: string[];
}

const q = (s: string) => JSON.stringify(s);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function kubernetesJob(spec: JobSpec): string {
  for (const [what, value] of [
    ['--name', spec.name],
    ['--secret', spec.secret],
  ] as const)
    if (!DNS_LABEL.test(value))
      throw new UserError(
        `${what} "${value}" is not a Kubernetes name: use lower-case letters, digits and dashes (at most 63).`,
        'bad-input',
      );
  if (/:\/\/[^/@\s]*:[^/@\s]*@/.test(spec.runFlags.join(' ')))
    throw new UserError(
      'A flag carries a password: keep credentials in the Secret, never in the manifest.',
      'bad-input',
    );
  const targetArgs = 'file' in spec.targets ? ['--targets', spec.targets.file] : ['--targets-sql', spec.targets.sql];
  const args = [
    'fleet',
    'run',
    '--migrations',
    spec.migrationsDir,
    ...targetArgs,
    // Kubernetes expands $(LEDGER_URL) from the container's environment, which the Secret fills.
    '--ledger',
    '$(LEDGER_URL)',
    ...spec.runFlags,
    '--yes',
  ];
  const secretEnv = (name: string, optional: boolean) => [
    `        - name: ${name}`,
    '          valueFrom:',
    '            secretKeyRef:',
    `              name: ${q(spec.secret)}`,
    `              key: ${name}`,
    ...(optional ? ['              optional: true'] : []),
  ];
  return `${[
    '# citadel-migrate fleet: each pod is a runner; they share the fleet through the ledger in LEDGER_URL.',
    `# kubectl create secret generic ${spec.secret} --from-literal=LEDGER_URL=postgresql://migrator@ledger-db:5432/fleet \\`,
    '#   --from-literal=PGPASSWORD=…   (and DATABASE_URL for --targets-sql)',
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${q(spec.name)}`,
    '  labels:',
    '    app.kubernetes.io/name: citadel-migrate-fleet',
    'spec:',
    '  completionMode: Indexed',
    `  completions: ${spec.runners}`,
    `  parallelism: ${spec.runners}`,
    // A runner that fails is not started again by Kubernetes: the ledger's leases hand its targets to the others.
    '  backoffLimit: 0',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app.kubernetes.io/name: citadel-migrate-fleet',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '      - name: runner',
    `        image: ${q(spec.image)}`,
    '        command: ["citadel-migrate"]',
    '        args:',
    ...args.map((a) => `        - ${q(a)}`),
    '        env:',
    ...secretEnv('LEDGER_URL', false),
    ...secretEnv('PGPASSWORD', true),
    ...('sql' in spec.targets ? secretEnv('DATABASE_URL', false) : []),
    '        - name: CITADEL_JOURNAL_DIR',
    '          value: "/var/lib/citadel-migrate"',
    '        volumeMounts:',
    '        - name: journal',
    '          mountPath: /var/lib/citadel-migrate',
    '      volumes:',
    // Each pod's journal lives as long as the pod; the ledger keeps the fleet's state.
    '      - name: journal',
    '        emptyDir: {}',
  ].join('\n')}\n`;
}
