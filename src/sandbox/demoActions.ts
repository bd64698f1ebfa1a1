// The demo's runbook actions: the bundled runbook's kubectl/systemctl commands replaced with
// scripts/demo-app.mjs, which switches the simulated application, so `npm start` shows maintenance
// mode and the workers going off before a run and back after it, with the same checks.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const SCRIPT = fileURLToPath(new URL('../../scripts/demo-app.mjs', import.meta.url));

export function demoActions(controlDir: string, databaseUrl: string): Record<string, unknown> {
  const env = { CITADEL_DEMO_CONTROL: controlDir, DEMO_DATABASE_URL: databaseUrl };
  const cmd = (...args: string[]) => [process.execPath, SCRIPT, ...args];
  const web = { label: 'application sessions', application: ['citadelbuy-web%'] };
  const workers = { label: 'worker sessions', application: ['citadelbuy-worker%'] };
  return {
    'maintenance-on': {
      title: 'Put application in maintenance mode',
      command: cmd('maintenance', 'on'),
      env,
      timeout: '30s',
      check: { sessions: { ...web, expect: 0, wait: '20s' } },
      proves: ['window.maintenance-mode'],
    },
    'workers-stop': {
      title: 'Stop background jobs',
      command: cmd('workers', 'stop'),
      env,
      timeout: '30s',
      check: { sessions: { ...workers, expect: 0, wait: '20s' } },
      proves: ['window.background-jobs'],
    },
    'services-restart': {
      title: 'Restart application services',
      command: cmd('restart'),
      env,
      timeout: '30s',
      proves: ['post.services-restart'],
    },
    'smoke-test': {
      title: 'Run smoke tests',
      command: cmd('smoke-test'),
      env,
      timeout: '1m',
      proves: ['post.smoke-test'],
    },
    'maintenance-off': {
      title: 'Remove maintenance mode',
      command: cmd('maintenance', 'off'),
      env,
      timeout: '30s',
      check: { sessions: { ...web, expect: '>= 1', wait: '20s' } },
      proves: ['post.maintenance-off'],
    },
    'workers-start': {
      title: 'Resume background jobs',
      command: cmd('workers', 'start'),
      env,
      timeout: '30s',
      check: { sessions: { ...workers, expect: '>= 1', wait: '20s' } },
      proves: ['post.workers-start'],
    },
  };
}

/** Rewrites the actions of a runbook copy (comments and the rest kept). */
export function useDemoActions(runbookFile: string, controlDir: string, databaseUrl: string): void {
  const doc = parseDocument(readFileSync(runbookFile, 'utf8'));
  doc.set('actions', doc.createNode(demoActions(controlDir, databaseUrl)));
  writeFileSync(runbookFile, doc.toString());
}
