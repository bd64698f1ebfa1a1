// The layers of ARCHITECTURE.md as rules a machine checks (type-only imports included).
// Ranks, bottom to top:
//   0  errors.ts, defaults.ts, who.ts, format.ts, folders.ts
//   1  postgres/
//   2  runbook/
//   3  engine/ analysis/ safety/ monitor/ journal/ notify/ project/ sandbox/ tools/ fleet/
//   4  operations/
//   5  cli/ and tui/ (the front ends)
// A front end goes through operations/; the exceptions are listed in ARCHITECTURE.md.

const BELOW_OPERATIONS = '^src/(engine|analysis|safety|monitor|postgres|runbook|journal|notify|project|sandbox|tools|fleet)/';
const RANK3 = '^src/(engine|analysis|safety|monitor|journal|notify|project|sandbox|tools|fleet)/';
const FRONT_ENDS = '^src/(cli|tui)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes the layers meaningless; type-only imports count too.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment:
        'A package imported by src/ must be in package.json "dependencies": one that only arrives through another ' +
        'package (pg-connection-string through pg) disappears when that package changes.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev', 'npm-optional', 'npm-peer'] },
    },
    {
      name: 'bottom-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/(errors|defaults|who|format)\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'folders-imports-errors-only',
      severity: 'error',
      from: { path: '^src/folders\\.ts$' },
      to: { path: '^src/', pathNot: '^src/errors\\.ts$' },
    },
    {
      name: 'postgres-imports-no-layer-above',
      severity: 'error',
      from: { path: '^src/postgres/' },
      to: { path: '^src/', pathNot: '^src/(postgres/|errors\\.ts|defaults\\.ts|who\\.ts|format\\.ts|folders\\.ts)' },
    },
    {
      name: 'runbook-imports-no-layer-above',
      severity: 'error',
      from: { path: '^src/runbook/' },
      to: { path: '^src/', pathNot: '^src/(runbook/|postgres/|errors\\.ts|defaults\\.ts|who\\.ts|format\\.ts|folders\\.ts)' },
    },
    {
      name: 'middle-layers-import-no-front-end-nor-operations',
      severity: 'error',
      from: { path: RANK3 },
      to: { path: '^src/(operations|cli|tui)/' },
    },
    {
      name: 'engine-knows-no-analysis-nor-journal',
      severity: 'error',
      comment: 'The engine emits events; diagnosis, journalling and notifications listen to them.',
      from: { path: '^src/engine/' },
      to: { path: '^src/(analysis|journal|safety|notify|sandbox|fleet)/' },
    },
    {
      name: 'operations-import-no-front-end',
      severity: 'error',
      from: { path: '^src/operations/' },
      to: { path: FRONT_ENDS },
    },
    {
      name: 'console-imports-no-cli',
      severity: 'error',
      from: { path: '^src/tui/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'front-ends-go-through-operations',
      severity: 'error',
      comment:
        'A CLI command or the console reaches the layers below only through src/operations/ (the types its ' +
        "panes draw, the engine's events and the monitor's snapshots, included: operations/types.ts).",
      from: { path: '^src/(cli/commands|tui)/' },
      to: { path: BELOW_OPERATIONS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    combinedDependencies: false,
  },
};
