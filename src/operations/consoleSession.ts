import { connect, type Db } from '../postgres/connect.js';
import type { Target } from '../postgres/target.js';
import { whoAmI } from '../who.js';

/**
 * The console's own session (migration states, details, verify), named after the person at the
 * keyboard so that the Locks pane and pg_stat_activity tell it apart from the application's. Light
 * to load: the console command opens it before the console's modules have loaded.
 */
export function consoleSession(target: Target): Promise<Db> {
  return connect(target, { applicationName: `citadel-migrate console (${whoAmI()})`.slice(0, 63) });
}
