// A fleet target's own console, opened from the Fleet pane: the console on that target's database
// and the fleet's folder, read-only (mode plan: every key that writes refuses, saying why).
import type { FleetWatch } from '../../operations/fleetWatch.js';
import { connectController } from '../connect.js';
import type { ConsoleController } from '../controller.js';

export async function connectTargetConsole(
  watch: FleetWatch,
  name: string,
  refreshMs: number,
): Promise<ConsoleController> {
  const ctx = watch.targetConsole(name);
  if (!ctx) throw new Error(`${name} is not among this console's targets.`);
  const controller = await connectController({
    ctx,
    mode: 'plan',
    refreshMs,
    targetLabel: `${name} (fleet ${watch.fleet}, read-only)`,
  });
  controller.start();
  return controller;
}
