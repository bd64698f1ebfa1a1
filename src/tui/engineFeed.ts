// What the console does with each event of the engine's stream: the session's view of the running
// migration, the message line, and when to read the states again. Returns whether the migration
// list must be rebuilt.
import type { EngineEvent } from '../operations/types.js';
import type { ConsoleHost } from './host.js';
import { eventMessage, noteInSession, type SessionInfo } from './feeds.js';
import { lagLimitWords } from '../operations/hold.js';

export function followEngineEvent(c: ConsoleHost, session: Map<string, SessionInfo>, e: EngineEvent): boolean {
  switch (e.type) {
    case 'run-start':
      if (c.run) c.run.enginePid = e.lockHolderPid;
      // the limits as the run resolved them: --max-lag or the runbook's, none without standbys
      c.update((s) => ({ ...s, migrations: { ...s.migrations, lagLimit: lagLimitWords(c.run?.limits) } }));
      c.ownPids.add(e.lockHolderPid);
      break;
    case 'lock-taken':
      // a skip or rollback of this console holds the migration lock for a moment: not another runner
      c.ownPids.add(e.pid);
      return false;
    case 'lock-busy':
      c.update((s) => ({ ...s, migrations: { ...s.migrations, otherRunner: e.holder } }), true);
      break;
    case 'migration-start':
    case 'statement-start':
    case 'lock-wait':
    case 'index-progress':
    case 'victims':
    case 'statement-end':
    case 'retry':
    case 'hold':
    case 'hold-end':
    case 'batch-progress':
    case 'migration-end': {
      noteInSession(session, e);
      // Each event replaces whatever an earlier action said on the message line.
      const said = eventMessage(e);
      if (said) c.say(said.text, said.level);
      if (e.type === 'migration-end') void c.refreshStatus();
      break;
    }
    case 'skip':
      c.say(`${e.name} skipped (marked applied without running it): ${e.reason}`, 'ok', { result: true });
      void c.refreshStatus();
      return false;
    case 'rollback':
      void c.refreshStatus();
      return false;
    case 'run-end':
      break;
  }
  return true;
}
