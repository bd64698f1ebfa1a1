// The vocabulary the front ends speak with the operations: the types an operation takes or returns
// (a Workspace's folder and runbook, the states `status` gives, a plan, a run's result). Re-exported
// here so that a front end names them without reaching below this layer.
export type { Db } from '../postgres/connect.js';
export type { Target } from '../postgres/target.js';
export type { MigrationsFolder } from '../runbook/folder.js';
export type { RunbookManifest } from '../runbook/manifest.js';
export type { MigrationState, MigrationStatus, RunningInfo } from '../runbook/status.js';
export type { PlanResult } from '../analysis/plan.js';
export type { Blocker, MigrationTables } from '../analysis/blockers.js';
export type { RunResult } from '../engine/run.js';
export type { Monitor } from '../monitor/monitor.js';
export type { EventStream } from '../engine/events.js';
// What the console draws: the engine's events and the monitor's snapshots, data only.
export type { EngineEvent, AdvisoryHolder, MigrationError } from '../engine/events.js';
export type { MonitorSnapshot } from '../monitor/monitor.js';
export type { ReplicationHealth } from '../monitor/replication.js';
