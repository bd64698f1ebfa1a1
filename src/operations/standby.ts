// A target that is itself a standby takes no write: refused before any question or writing session.
import { refuseStandby } from '../postgres/identity.js';
import { stopReading } from './stopDeadline.js';
import type { Workspace } from './workspace.js';

/**
 * Refuses `what` on a LIVE standby; `stopped`: the sentence for a stop before the server answered. The server is asked who it is first, under the stop: a server
 * that stops answering ends the command within the stop's deadline, with nothing changed.
 */
export async function refuseStandbyTarget(ws: Workspace, what: string, stopped: string): Promise<void> {
  if (ws.mode !== 'live') return;
  refuseStandby(await stopReading(ws.signal, ws.identity(), what, stopped), what);
}
