import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { columns, print, printJson } from '../output.js';
import { fleetStatusOperation } from '../../operations/fleetStatus.js';
import { loadTargets, migrationsDir } from './fleetTargets.js';
import { countsLine, targetDocument, waitWords } from './fleetOutput.js';

export default async function fleetStatus(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const dir = migrationsDir(ctx);
  const { targets } = await loadTargets(ctx, opts);
  const s = await fleetStatusOperation({
    migrationsDir: dir,
    targets,
    ledgerUrl: opts.ledger as string | undefined,
    fleet: opts.fleet as string | undefined,
    journalDir: ctx.opts.journalDir,
  });
  if (ctx.json) {
    printJson({
      fleet: s.fleet,
      ledger: s.ledger,
      stopped: s.stopped ?? null,
      paused: s.paused,
      waiting: s.waiting ?? null,
      counts: s.counts,
      skew: s.skew,
      targets: s.targets.map(targetDocument),
    });
    return ExitCode.ok;
  }
  const secs = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);
  print(
    columns([
      ['TARGET', 'STATE', 'MIGRATION', 'DURATION', 'ERROR'],
      ...s.targets.map((r) => [r.name, r.state, r.migration ?? r.lastApplied ?? '', secs(r.durationMs), r.error ?? '']),
    ]),
  );
  print('');
  print(`Fleet ${s.fleet}: ${countsLine(s.counts)}.${s.paused ? ' Paused.' : ''}`);
  if (s.stopped) print(`Stopped: ${s.stopped}.`);
  if (s.waiting) print(`Waiting: ${waitWords(s.waiting)} (since ${s.waiting.since}).`);
  print('Version skew (last applied migration: targets):');
  for (const k of s.skew) print(`  ${k.migration ?? '(none of the folder)'}: ${k.targets}`);
  print(`Ledger: ${s.ledger}.`);
  return ExitCode.ok;
}
