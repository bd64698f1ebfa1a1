// What the CLI says about the connection before a command runs: where libpq took each setting from
// (--debug), and, for the read-only commands that work through one, a transaction pooler.
import { describeSources } from '../postgres/libpq.js';
import type { Workspace } from './workspace.js';

/** "db.example:5432 as app; host from PGHOST…", or undefined when there is no usable URL (the command says so). */
export function describeConnection(ws: Pick<Workspace, 'target'>): string | undefined {
  try {
    const t = ws.target();
    return `${t.display}:${t.port} as ${t.user}; ${describeSources(t.sources)}`;
  } catch {
    return undefined;
  }
}

/** The sentence a run would refuse with, when the URL reaches a transaction pooler; undefined otherwise. */
export async function poolerNotice(ws: Pick<Workspace, 'target' | 'project'>): Promise<string | undefined> {
  const project = ws.project();
  if (project.url.error || !project.url.value) return undefined; // the command says what is missing
  let target: ReturnType<Workspace['target']>;
  try {
    target = ws.target();
  } catch {
    return undefined; // a malformed URL: the command reports it
  }
  const { checkForPooler } = await import('../postgres/pooler.js');
  return checkForPooler(target, project.directUrlVariable);
}
