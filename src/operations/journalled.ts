import type { Workspace } from './workspace.js';

/**
 * An action's intent on disk before it is attempted, its result after: a process killed in
 * between leaves a begin without an end, which `status` and `report` explain.
 */
export async function journalled<T>(
  ws: Pick<Workspace, 'journal'>,
  action: string,
  details: unknown,
  work: () => Promise<T>,
  result: (r: T) => unknown,
): Promise<T> {
  const end = (await ws.journal()).begin(action, details);
  let r: T;
  try {
    r = await work();
  } catch (err) {
    end({ ok: false, error: (err as Error).message });
    throw err;
  }
  end(result(r));
  return r;
}
