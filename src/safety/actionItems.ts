// Checklist items that a runbook action proves: "Stop background jobs" is answered by the live
// worker sessions the action's check names ("worker sessions: 0 (were 4)"), "Run smoke tests" by the
// journalled outcome of the smoke-test action. Post-migration items count only after the last run.
import type { ChecklistItemSpec } from '../runbook/manifest.js';
import { expectText, likeToRegExp, meetsExpectation, type RunbookAction } from '../runbook/actions.js';
import type { ItemEnv, Verdict } from './checklistItems.js';
import { lastActions, lastRunStart } from './journalFacts.js';

export function provingAction(spec: ChecklistItemSpec, actions: RunbookAction[]): RunbookAction | undefined {
  return actions.find((a) => a.proves.includes(spec.id));
}

export function evaluateByAction(spec: ChecklistItemSpec, a: RunbookAction, env: ItemEnv): Verdict {
  const rec = lastActions(env.journal).get(a.name);
  const runAt = lastRunStart(env.journal);
  const how = `\`citadel-migrate action ${a.name}\``;
  if (spec.group === 'post') {
    if (!runAt) return { status: 'manual', evidence: `after the migrations: run ${how}` };
    if (!rec || rec.at < runAt) return { status: 'manual', evidence: `not done since the run of ${runAt}: run ${how}` };
  }
  if (a.check) {
    if (env.ev.connectError) return { status: 'fail', evidence: `not checked: no connection (${env.ev.connectError})` };
    const patterns = a.check.application.map(likeToRegExp);
    const apps = env.ev.applications.filter((x) => patterns.some((p) => p.test(x.application)));
    const live = apps.reduce((n, x) => n + x.connections, 0);
    const were = rec?.check ? ` (were ${rec.check.before} before ${a.name} at ${rec.at}, by ${rec.who})` : '';
    const named = live ? ` [${apps.map((x) => `${x.application} ×${x.connections}`).join(', ')}]` : '';
    const text = `${a.check.label}: ${live}${were}${named}`;
    if (meetsExpectation(live, a.check.expect)) return { status: 'pass', evidence: text };
    return { status: 'fail', evidence: `${text}; expected ${expectText(a.check.expect)}: run ${how}` };
  }
  if (!rec) return { status: 'manual', evidence: `run ${how} (or confirm it done by hand)` };
  if (rec.outcome === 'ok') return { status: 'pass', evidence: `${a.name} succeeded at ${rec.at} (by ${rec.who})` };
  return {
    status: 'fail',
    evidence: `${a.name} ${rec.outcome} at ${rec.at}: see the journal, fix it and run ${how} again`,
  };
}
