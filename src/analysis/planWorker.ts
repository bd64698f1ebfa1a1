// The worker thread of offThread.ts: one job from workerData, its result posted back, then the
// thread ends. An 'abort' message stops a plan (its squawk process is killed through the signal).
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { splitStatements, SqlSyntaxError } from '../engine/split.js';
import type { OffThreadJob, OffThreadReply } from './offThread.js';

const job = workerData as OffThreadJob;
const stop = new AbortController();
const onMessage = (m: unknown) => {
  if (m === 'abort') stop.abort();
};
parentPort!.on('message', onMessage);

/** A Buffer crosses a thread as a plain Uint8Array: the folder's bytes are given their type back. */
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

async function run(): Promise<unknown> {
  switch (job.op) {
    case 'plan': {
      const { buildPlan } = await import('./plan.js');
      const folder = {
        ...job.folder,
        migrations: job.folder.migrations.map((m) => ({ ...m, bytes: asBuffer(m.bytes) })),
      };
      return buildPlan(folder, job.facts, { ...job.opts, signal: stop.signal });
    }
    case 'tables': {
      const { readTables } = await import('./blockers.js');
      return readTables(job.migration);
    }
    case 'statements':
      return (await splitStatements(job.sql, job.file)).map((s) => ({ line: s.line, sql: s.sql }));
  }
}

let reply: OffThreadReply;
try {
  reply = { result: await run() };
} catch (err) {
  const e = err as Error;
  reply = {
    error: {
      message: e.message,
      ...(e instanceof UserError ? { kind: e.kind } : {}),
      ...(e instanceof SqlSyntaxError ? { file: e.file, line: e.line, reason: e.reason } : {}),
    },
  };
}
parentPort!.postMessage(reply);
// Nothing else holds the thread: it ends once the reply is on its way.
parentPort!.off('message', onMessage);
