// `citadel-migrate fleet …`: the options here (so --help needs nothing else), the work in the
// handlers, loaded when a subcommand runs.
import type { Command } from 'commander';
import { Context, type GlobalOptions } from '../context.js';
import { printErr } from '../output.js';
import { hideCommandLine } from '../../operations/secrets.js';

type Handler = (ctx: Context, opts: Record<string, unknown>) => Promise<number>;

function handle(load: () => Promise<{ default: Handler }>) {
  return async (...received: unknown[]) => {
    const cmd = received[received.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as Record<string, unknown>;
    hideCommandLine(`fleet ${cmd.name()}`, opts.databaseUrl as string | undefined, printErr);
    const ctx = new Context(opts as GlobalOptions);
    ctx.notice = (sentence) => printErr(sentence);
    process.exitCode = await (await load()).default(ctx, opts);
  };
}

const targetOptions = (cmd: Command) =>
  cmd
    .option('--targets <file>', 'the databases: one postgresql:// URL, or NAME URL, per line (# comments)')
    .option(
      '--targets-sql <query>',
      'the databases from a query on --database-url (the control database): a url column, or name and url',
    )
    .option('--ledger <url>', "a PostgreSQL database for the fleet's ledger, shared by runners (default: a file)")
    .option('--fleet <name>', "the fleet's name in the ledger (default: derived from the folder and the targets)");

export function registerFleet(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('one migrations folder over many databases: waves, limits, a failure budget, a resumable ledger');
  const runOptions = (cmd: Command) =>
    cmd
      .option('--concurrency <n>', 'targets run at once by this runner', '4')
      .option('--per-server <n>', 'targets run at once on one server (host:port), across every runner', '1')
      .option('--canary <n>', 'run this many targets first and alone; one failure there stops the fleet', '0')
      .option('--waves <list>', 'then the rest in waves of cumulative shares, each after the last ended (10%,50%,100%)')
      .option('--max-failures <n>', 'failed or refused targets tolerated; one more stops the fleet (exit 4)', '0')
      .option(
        '--max-lag <limit>',
        "each target's run holds, and a wave waits, while a standby of the servers is behind this (2s, 64MB)",
      )
      .option('--max-archive-backlog <n>', 'the same while more than N WAL segments wait to be archived')
      .option('--max-hold <duration>', 'a run fails, and the fleet stops, after holding this long (default 30min)')
      .option(
        '--lease <duration>',
        'with --ledger: how long a claim outlives a runner that stopped renewing it',
        '30s',
      );
  runOptions(
    targetOptions(
      fleet
        .command('run')
        .description("apply the folder's pending migrations to every target, each as a whole `run`")
        .action(handle(() => import('./fleetRun.js'))),
    ),
  )
    .option('--lock-timeout <duration>', 'fixed lock_timeout per attempt (default: 200ms growing to 3s)')
    .option('--lock-retries <n>', 'retries of a statement after a lock timeout (default: until --lock-wait-limit)')
    .option('--lock-wait-limit <duration>', 'give up waiting for a lock after this long in all (default 10min)')
    .option('--statement-timeout <duration>', "statement_timeout (0 = off; default: the role's or database's own)")
    .option('--allow-foreign-history', "run although a target's history says the folder is another project's")
    .addHelpText(
      'after',
      '\nExit codes: 0 every target applied or up to date; 1 a target failed or was refused within --max-failures;\n2 bad input; 3 the ledger or control database cannot be reached; 4 the fleet stopped (a failed canary or\nthe failure budget exceeded: running targets finished, no new one started); 130 interrupted.',
    );
  targetOptions(
    fleet
      .command('status')
      .description("each target's state, current migration, duration and error, the counts and the version skew")
      .action(handle(() => import('./fleetStatus.js'))),
  );
  runOptions(
    targetOptions(
      fleet
        .command('kubernetes-job')
        .description('print an Indexed Job whose pods run `fleet run --ledger …` on one shared ledger')
        .action(handle(() => import('./fleetKubernetes.js'))),
    ),
  )
    .requiredOption('--runners <n>', 'pods (runners) at once')
    .requiredOption('--image <image>', 'a container image with citadel-migrate and the migrations folder')
    .requiredOption(
      '--secret <name>',
      'the Secret holding LEDGER_URL (and PGPASSWORD or a .pgpass), never the manifest',
    )
    .option('--name <name>', "the Job's name", 'citadel-fleet');
}

/** `report --fleet` and `console --fleet`: a summary of the fleet's targets' journals (same targets, --ledger). */
export function fleetReportOptions(
  report: Command,
  what = "summarise a fleet's targets' journals (with --migrations and --targets or --targets-sql)",
): void {
  report
    .option('--fleet [name]', what)
    .option('--targets <file>', 'with --fleet: the databases, one URL or NAME URL per line')
    .option('--targets-sql <query>', 'with --fleet: the databases from a query on --database-url')
    .option('--ledger <url>', "with --fleet: the fleet's PostgreSQL ledger");
}
