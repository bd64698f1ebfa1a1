import { runnable } from '../runbook/status.js';

/**
 * What a run would apply next, in order (`only`: the first few): the same rule as `run`'s, for any
 * list of named states (the console's rows too).
 */
export function nextToRun<T extends { name: string; state: string }>(items: T[], only?: number): T[] {
  const todo = runnable(items);
  return only ? todo.slice(0, only) : todo;
}
