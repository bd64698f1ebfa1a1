import { Command, Option, CommanderError } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { describeError, ExitCode, UserError } from './errors.js';
import { printErr } from './output.js';
import { hideCommandLine } from '../operations/secrets.js';
import { DEFAULT_BACKUP_DIR_TEXT } from '../defaults.js';
import { describeConnection, poolerNotice } from '../operations/connection.js';
import { requireProject } from '../operations/project.js';
import { untilStopped } from './stop.js';
import { stopReading } from '../operations/stopDeadline.js';
import { fleetReportOptions, registerFleet } from './commands/fleet.js';

/** A command's implementation, loaded only when it runs so that `--help` stays fast. */
type Handler = (ctx: Context, args: string[], opts: Record<string, unknown>) => Promise<number>;
type Loader = () => Promise<{ default: Handler }>;

function action(program: Command, load: Loader) {
  return async (...received: unknown[]) => {
    const cmd = received[received.length - 1] as Command;
    const args = received
      .slice(0, -2)
      .map((a) => a as string)
      .filter((a) => a !== undefined);
    // The console is the default command, so a mistyped command name arrives here as an argument.
    if (cmd.name() === 'console' && cmd.args.length)
      throw new UserError(
        `There is no command "${cmd.args[0]}": run \`citadel-migrate --help\` to list them.`,
        'bad-input',
      );
    const opts = cmd.optsWithGlobals() as Record<string, unknown>;
    hideCommandLine(cmd.name(), opts.databaseUrl as string | undefined, printErr);
    const ctx = new Context(opts as GlobalOptions);
    // The consoles draw their own screen: a line on stderr would tear it.
    if (!['console', 'demo'].includes(cmd.name())) ctx.notice = (sentence) => printErr(sentence);
    const writes = WRITES[cmd.name()];
    if (writes) requireProject(ctx, opts.restore ? 'restore a backup over the database' : writes);
    announceSource(ctx, cmd.name());
    const handler = (await load()).default;
    // The pooler check asks the server too: a stop during it ends the command like any other.
    const work = async () => {
      if (POOLER_WARNED.has(cmd.name())) await stopReading(ctx.signal, warnAboutPooler(ctx), cmd.name());
      return handler(ctx, args, opts);
    };
    process.exitCode = STOPPABLE.has(cmd.name()) ? await untilStopped(ctx, cmd.name(), work) : await work();
  };
}

// Commands whose operations end within 5 s of a stop (ctx.signal); run, backup and locks --watch have their own.
const STOPPABLE = new Set(['status', 'check', 'verify', 'plan', 'skip', 'rollback', 'report', 'kill', 'action']);

// Commands that write to the database: without a project they refuse first (before any question).
const WRITES: Record<string, string> = {
  run: 'apply migrations',
  skip: 'mark a migration applied',
  rollback: 'roll back a migration',
  backup: 'take a backup',
};

// Commands that work on a migrations folder: their first line says which one when it is not the project's.
const FOLDER_COMMANDS = new Set(['status', 'plan', 'check', 'run', 'skip', 'rollback', 'rehearse', 'verify']);

/**
 * Says where the work comes from before anything else: always under --debug, and whenever the
 * bundled CitadelBuy runbook stands in for a project, so nobody applies the demo to their database
 * by mistake. On stderr, so --json's stdout stays one document.
 */
function announceSource(ctx: Context, command: string): void {
  const debug = Boolean(ctx.opts.debug);
  if (!debug && (ctx.json || !FOLDER_COMMANDS.has(command))) return;
  const project = ctx.project();
  if (debug) {
    printErr(`source: ${ctx.source()}`);
    printConnectionSources(ctx);
  } else if (project.bundled && project.migrationsFrom === 'bundled')
    printErr(
      `Using the bundled CitadelBuy runbook (no Prisma project in ${project.cwd}: run in your project's folder, or pass --schema or --migrations).`,
    );
  else if (project.bundled) printErr(`Using the bundled CitadelBuy runbook (as ${project.migrationsFrom} asks).`);
  if (!ctx.json) for (const note of project.notes) printErr(`Note: ${note}.`);
}

/** Under --debug: which settings libpq's rules took from where other than the URL. */
function printConnectionSources(ctx: Context): void {
  // no or a malformed URL: the command says so
  const connection = describeConnection(ctx);
  if (connection) printErr(`connection: ${connection}`);
}

// Read-only commands that work through a transaction pooler, and say that run would not.
const POOLER_WARNED = new Set(['plan', 'locks']);

async function warnAboutPooler(ctx: Context): Promise<void> {
  const warning = await poolerNotice(ctx);
  if (warning) printErr(warning);
}

export function buildProgram(): Command {
  const program = new Command('citadel-migrate');
  program
    .description('A console for carrying out PostgreSQL (Prisma) schema migrations safely in production.')
    .option(
      '--database-url <url>',
      'target database (default: $DATABASE_URL); keep the password out of it: set DATABASE_URL, or use ~/.pgpass or PGPASSFILE, since other users can see a command line',
    )
    .option('--migrations <dir>', "Prisma migrations folder (default: the Prisma project's, found as Prisma finds it)")
    .option(
      '--bundled',
      "use the bundled CitadelBuy runbook (the demo's); without a project, commands that write refuse unless asked so",
    )
    .option(
      '--schema <path>',
      'Prisma schema file or folder (default: prisma.config.ts, package.json, ./prisma/schema.prisma, ./schema.prisma)',
    )
    .option('--runbook <file>', 'runbook manifest (default: runbook.yaml beside the migrations, if any)')
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('--yes', 'confirm destructive actions without asking (needed when there is no terminal)')
    .option('--debug', 'show stack traces and driver details on errors')
    .option(
      '--journal-dir <dir>',
      'where the audit journal is kept (default: $CITADEL_JOURNAL_DIR or ~/.local/state/citadel-migrate)',
    )
    .option(
      '--notify <url>',
      "POST a JSON notification (a chat message for Slack/Teams webhooks) on run, failure, rollback, kill, backup and action events; repeatable (also $CITADEL_NOTIFY_URL, the runbook's notify:)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const add = (name: string, description: string, load: Loader, opts: { isDefault?: boolean } = {}) => {
    const cmd = program.command(name, opts).description(description);
    cmd.action(action(program, load));
    return cmd;
  };

  // No command: the console, as DESIGN section 2 says (commander hands it the options it does not know).
  add(
    'console',
    'the Ink console on the target (the default when no command is given)',
    () => import('./commands/console.js'),
    { isDefault: true },
  )
    .allowExcessArguments(true)
    .option('--refresh <seconds>', 'monitor refresh interval', '1')
    .option(
      '--backup-dir <dir>',
      `where B (backup) writes (default ${DEFAULT_BACKUP_DIR_TEXT}); the checklist finds backups through the journal`,
    )
    .option('--lock-timeout <duration>', 'fixed lock_timeout per attempt of a run (default: 200ms growing to 3s)')
    .option('--lock-retries <n>', 'retries of a statement after a lock timeout (default: until --lock-wait-limit)')
    .option('--lock-wait-limit <duration>', 'give up waiting for a lock after this long in all (default 10min)')
    .option(
      '--statement-timeout <duration>',
      "statement_timeout of a run (0 = off; default: the role's or database's own)",
    )
    .option('--max-lag <limit>', "a run holds while a standby's replay lag is over this (2s, 64MB); L changes it")
    .option('--max-archive-backlog <n>', 'a run holds while more than N WAL segments wait to be archived')
    .option('--max-hold <duration>', 'a run fails cleanly after holding this long (default 30min)')
    .option(
      '--plan',
      'PLAN: the console on the target as a dry run: nothing is written anywhere, keys that would write refuse',
    )
    .option('--rehearsal', 'REHEARSAL: open the console on a scratch copy of the target (the target is never written)')
    .option('--with-data', 'with --rehearsal: copy the data too, not only the schema')
    .addOption(
      new Option('--scratch <where>', 'with --rehearsal: where the copy lives')
        .choices(['sandbox', 'server'])
        .default('sandbox'),
    );
  fleetReportOptions(
    program.commands.find((c) => c.name() === 'console')!,
    'the Fleet pane: each target of a fleet (with --migrations and --targets or --targets-sql); p pauses, r resumes',
  );
  add(
    'demo',
    'the console on an embedded PostgreSQL sandbox with the bundled runbook (npm start)',
    () => import('./commands/demo.js'),
  )
    .option('--no-traffic', 'do not simulate application traffic')
    .option('--refresh <seconds>', 'monitor refresh interval', '1')
    .option(
      '--orders <n>',
      'orders the simulated application inserts (index builds need rows to show progress)',
      '200000',
    );
  add(
    'status',
    "each migration's state, from the migrations folder and _prisma_migrations",
    () => import('./commands/status.js'),
  ).addHelpText(
    'after',
    '\nExit codes, as `prisma migrate status`: 0 up to date; 1 a migration is pending or failed (one resolved as\nrolled back, missing locally or modified does not count); 2 bad input; 3 cannot connect.',
  );
  add(
    'plan',
    'dry run: statements, locks, lint findings and fixes for pending migrations; writes nothing',
    () => import('./commands/plan.js'),
  )
    .option('--all', 'show every raw lint finding')
    .option('--to <name>', 'plan only the pending migrations up to this one (as run --to)')
    .option('--apply-fixes', 'apply the proposed fixes to the migration files (asks first)')
    .option('--rewrite', 'show the lock-safe form of each pending migration, step by step')
    .option('--apply', 'with --rewrite: write the safe form into the migrations folder (asks first)')
    .option('--batch-rows <n>', 'with --rewrite: rows per backfill batch (default 5000)');
  add('check', 'the pre-migration checklist with evidence for every item', () => import('./commands/check.js'))
    .option(
      '--backup-dir <dir>',
      `backups are found through the journal; dumps here it does not know are named as such (default ${DEFAULT_BACKUP_DIR_TEXT})`,
    )
    .option('--confirm <id>', 'confirm a manual checklist item as done (recorded in the journal)');
  add(
    'backup',
    'pg_dump of the target with sha256, verified by a real restore into a scratch database',
    () => import('./commands/backup.js'),
  )
    .option(
      '--backup-dir <dir>',
      `where to write the backup (folder 0700, files 0600; default ${DEFAULT_BACKUP_DIR_TEXT})`,
    )
    .option(
      '--restore <file>',
      "restore FILE (or an s3://bucket/key copy) over the target (the guide's Full Database Restore)",
    )
    .option(
      '--verify-on <url>',
      "restore the check copy on this server (a scratch server) instead of the target's own, whose disk must hold a full copy",
    )
    .option(
      '--clean-scratch',
      'only remove the scratch databases (citadel_scratch_*) that a killed backup or rehearsal left on the server',
    )
    .option(
      '--foreign-dump',
      'with --restore, --yes and no terminal: accept a dump the journal does not record (from elsewhere)',
    )
    .option(
      '--allow-unsafe-backup-dir',
      'use a backup folder that other users can write to, or a symlink (refused by default)',
    )
    .option(
      '--copy-to <s3url>',
      "after the backup is verified, copy it to s3://bucket/prefix and check the stored copy's sha256 (default: the runbook's copyTo:)",
    );
  add('run', 'apply pending migrations in order (up to --to NAME)', () => import('./commands/run.js'))
    .option('--to <name>', 'stop after this migration')
    .option('--rewrite', 'run the lock-safe form of each migration (plan --rewrite shows it), recorded as written')
    .option('--batch-rows <n>', 'with --rewrite: rows per backfill batch (default 5000)')
    .option('--lock-timeout <duration>', 'fixed lock_timeout per attempt (default: 200ms growing to 3s)')
    .option('--lock-retries <n>', 'retries of a statement after a lock timeout (default: until --lock-wait-limit)')
    .option('--lock-wait-limit <duration>', 'give up waiting for a lock after this long in all (default 10min)')
    .option(
      '--statement-timeout <duration>',
      "statement_timeout (0 = off; default: the role's or database's own, said when set)",
    )
    .option('--wait', "wait for another run's advisory lock instead of exiting")
    .option('--allow-modified', 'run even though an applied migration file was modified')
    .option(
      '--max-victims <n>',
      'give way when this many sessions queue behind a statement (default 1, while it waits for a lock; 0 = never)',
    )
    .option('--max-victim-wait <duration>', 'how long they may wait before that (default 200ms)')
    .option('--allow-foreign-history', "run although the database's history says the folder is another project's")
    .option('--max-lag <limit>', "hold while a standby's replay lag is over this: a duration (2s) or WAL bytes (64MB)")
    .option('--max-archive-backlog <n>', 'hold while more than N WAL segments wait to be archived')
    .option('--max-hold <duration>', 'fail cleanly after holding this long (default 30min)')
    .addOption(
      new Option('--on-hangup <what>', 'on SIGHUP (SSH link dropped): finish the run or stop cleanly')
        .choices(['finish', 'stop'])
        .default('stop'),
    );
  add(
    'skip',
    'mark NAME applied without running it (prisma migrate resolve --applied)',
    () => import('./commands/skip.js'),
  )
    .argument('<name>', 'migration name')
    .requiredOption('--reason <text>', 'why it is skipped (kept in the journal)')
    .option('--allow-foreign-history', "skip although the database's history says the folder is another project's");
  add(
    'rollback',
    "run NAME's down.sql and remove its record, so it is pending again",
    () => import('./commands/rollback.js'),
  )
    .argument('<name>', 'migration name')
    .option('--run-down', 'for a failed migration: run its down.sql before recording it rolled back')
    .option('--force', 'roll back although later migrations are applied')
    .option(
      '--allow-foreign-history',
      "roll back although the database's history says the folder is another project's",
    );
  add(
    'rehearse',
    "apply the pending migrations to a scratch copy of the target's schema and report",
    () => import('./commands/rehearse.js'),
  )
    .option('--keep-going', 'after a failure, go on with the next migration')
    .option('--to <name>', 'rehearse only the pending migrations up to this one (as run --to)')
    .option('--with-data', 'copy data too, not only the schema')
    .option('--rewrite', 'each migration as written and in its safe form, traced side by side (locks, scan, time)')
    .addOption(
      new Option('--scratch <where>', 'where the scratch copy lives').choices(['sandbox', 'server']).default('sandbox'),
    );
  add('locks', 'waiting sessions and the sessions blocking them, as a tree', () => import('./commands/locks.js'))
    .option('--watch', 'refresh in place until Ctrl-C')
    .option('--refresh <seconds>', 'refresh interval of --watch', '1');
  add('kill', 'cancel (default) or terminate a backend', () => import('./commands/kill.js'))
    .argument('<pid>', 'backend pid')
    .option('--terminate', 'end the session (pg_terminate_backend) instead of cancelling its query');
  add(
    'verify',
    "the guide's verification for applied migrations and the post-migration checks",
    () => import('./commands/verify.js'),
  )
    .argument('[name]', 'one migration')
    .option('--setup', 'run the post-migration setup steps (default roles and permissions; idempotent)')
    .option('--analyze', 'run ANALYZE afterwards to update the planner statistics')
    .option(
      '--performance',
      "the guide's Performance Validation: largest tables, use of the run's new indexes, slowest statements, compared with before the run",
    )
    .option(
      '--log-slow <duration|off>',
      'log statements slower than DURATION (ALTER SYSTEM log_min_duration_statement); off restores the previous value',
    )
    .option(
      '--for <duration>',
      'with --log-slow: restore the previous value after this long (checked when the console starts)',
    );
  add(
    'action',
    "run one of the runbook's actions (maintenance-on, workers-stop, …): asks, streams its output, checks live sessions, journals it",
    () => import('./commands/action.js'),
  ).argument('<name>', 'the action, as named under actions: in the runbook');
  const report = add(
    'report',
    "the session's journal as a Markdown report",
    () => import('./commands/report.js'),
  ).option('--since <time>', 'start of the session to report');
  fleetReportOptions(report);
  registerFleet(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its own message (help, version or usage error)
      return err.exitCode === 0 ? 0 : ExitCode.usage;
    }
    const { message, exitCode } = describeError(err, debug);
    printErr(message);
    return exitCode;
  }
}
