// A target's own workspace, as the CLI's Context builds one but without the project discovery: the
// fleet's migrations folder, the target's URL, its own journal (keyed by its server's identity).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Journal } from '../journal/journal.js';
import { openJournal } from '../journal/open.js';
import { withDb } from '../postgres/connect.js';
import { readServerIdentity, type ServerIdentity } from '../postgres/identity.js';
import type { Project } from '../project/discover.js';
import { ProjectEnv } from '../project/env.js';
import type { MigrationsFolder } from '../runbook/folder.js';
import type { FleetTarget } from '../fleet/targets.js';
import type { Workspace } from './workspace.js';

export interface FleetBase {
  migrationsDir: string;
  folder: MigrationsFolder;
  journalDir?: string;
  notify?: string[];
  notice?: (sentence: string) => void;
}

export function targetWorkspace(ft: FleetTarget, base: FleetBase, signal?: AbortSignal): Workspace {
  let identity: Promise<ServerIdentity> | undefined;
  let journal: Promise<Journal> | undefined;
  const runbook = path.join(base.migrationsDir, 'runbook.yaml');
  const project: Project = {
    cwd: process.cwd(),
    bundled: false,
    fallback: false,
    migrationsDir: base.migrationsDir,
    migrationsFrom: '--migrations',
    env: new ProjectEnv(process.cwd(), []),
    url: { value: ft.target.url, from: `the fleet's target ${ft.name}` },
    notes: [],
  };
  const ws: Workspace = {
    mode: 'live',
    target: () => ({ ...ft.target, source: `the fleet's target ${ft.name}` }),
    folder: async () => base.folder,
    migrationsDir: () => base.migrationsDir,
    runbookFile: () => (existsSync(runbook) ? runbook : undefined),
    identity: () => {
      identity ??= withDb(ft.target, readServerIdentity, { applicationName: 'citadel-migrate fleet' });
      return identity;
    },
    journal: () => {
      journal ??= ws.identity().then((id) => openJournal(ft.target, id, base.journalDir));
      return journal;
    },
    project: () => project,
    source: () => `${base.migrationsDir} (--migrations), URL from the fleet's target ${ft.name}`,
    notifyUrls: () => base.notify,
    notice: base.notice,
    signal,
  };
  return ws;
}
