// Reads of large migration scripts on a worker thread. PostgreSQL's parser (WebAssembly) takes a
// script in one synchronous call, and the plan's analyses (order, renames, lint filtering) walk every
// statement in synchronous passes: for one migration of 30,000 statements that is seconds in which
// the console's main loop handles no key, not even q. Cutting the work into pieces would mean parsing
// the script in parts (the AST's locations are byte offsets into the whole script, which the fixes use)
// and yielding inside every analysis; a worker runs the same code unchanged, and the main loop only
// pays for copying the result back (~1/20 of the parse). Small scripts stay on the main loop: their
// parse takes milliseconds and a worker's start (its own module graph and parser) costs more.
import { Worker } from 'node:worker_threads';
import { UserError, type ErrorKind } from '../errors.js';
import { SqlSyntaxError } from '../engine/split.js';
import type { MigrationsFolder, LocalMigration } from '../runbook/folder.js';
import type { TargetFacts } from './catalog.js';
import type { PlanOptions, PlanResult } from './plan.js';

/** Scripts larger than this in total (characters) are read on a worker: their parse would stall the loop for long. */
export const OFF_THREAD_CHARS = 256 * 1024;

export const scriptChars = (migrations: { sql: string }[]): number => migrations.reduce((n, m) => n + m.sql.length, 0);

export type OffThreadJob =
  | { op: 'plan'; folder: MigrationsFolder; facts: TargetFacts; opts: Omit<PlanOptions, 'signal'> }
  | { op: 'tables'; migration: LocalMigration }
  | { op: 'statements'; sql: string; file: string };

export type OffThreadReply =
  | { result: unknown }
  | { error: { message: string; kind?: ErrorKind; file?: string; line?: number; reason?: string } };

/** The worker's file beside this one (planWorker.js) once built; from the sources, its tsx entry in scripts/. */
const startWorker = (job: OffThreadJob): Worker => {
  const fromSources = import.meta.url.endsWith('.ts');
  const file = fromSources ? '../../scripts/planWorker.dev.mjs' : './planWorker.js';
  return new Worker(new URL(file, import.meta.url), { workerData: job });
};

const stopped = () => new Error('the plan was stopped');

/**
 * Runs one job on a worker of its own, ended when the job is done. `signal` ends it early: the caller
 * is answered at once; the worker is told to stop (its squawk process is killed) and ended shortly after.
 */
function runOffThread<T>(job: OffThreadJob, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(job);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      settle(() => {
        worker.postMessage('abort');
        // A closing console never waits for the worker; a worker in the middle of a synchronous pass
        // has no squawk process to kill, so ending it a little later loses nothing.
        worker.unref();
        setTimeout(() => void worker.terminate(), 200).unref();
        reject(stopped());
      });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: OffThreadReply) => {
      void worker.terminate();
      settle(() => ('error' in reply ? reject(rebuildError(reply.error)) : resolve(reply.result as T)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the plan's worker thread ended (exit code ${code})`))));
  });
}

/** The error as the caller would have caught it on the main loop (its class decides what is shown). */
function rebuildError(e: Extract<OffThreadReply, { error: unknown }>['error']): Error {
  if (e.file !== undefined && e.line !== undefined && e.reason !== undefined)
    return Object.assign(new SqlSyntaxError(e.file, e.line, e.reason), { message: e.message });
  if (e.kind) return new UserError(e.message, e.kind);
  return new Error(e.message);
}

export function planOffThread(
  folder: MigrationsFolder,
  facts: TargetFacts,
  opts: PlanOptions = {},
): Promise<PlanResult> {
  const { signal, ...rest } = opts;
  return runOffThread<PlanResult>({ op: 'plan', folder, facts, opts: rest }, signal);
}

export const tablesOffThread = (migration: LocalMigration): Promise<Map<string, string>> =>
  runOffThread({ op: 'tables', migration });

export const statementsOffThread = (sql: string, file: string): Promise<{ line: number; sql: string }[]> =>
  runOffThread({ op: 'statements', sql, file });
