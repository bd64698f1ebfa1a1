// The demo's simulated application, loaded before the console accepts a run: the first migration
// (the application's base schema) is applied, then the application loads its users, products and
// orders, with a progress line, and only then do r and R run, so that the index builds and table
// rewrites of the later migrations take realistic time.
import type { ConsoleController } from './controller.js';
import { nextToRun } from '../operations/next.js';
import { startDemoTraffic, type Traffic } from '../operations/demo.js';

export async function loadDemoApplication(
  c: ConsoleController,
  url: string,
  orders: number,
  controlDir?: string,
): Promise<Traffic> {
  c.holdRuns('the simulated application is starting: runs wait until its data is loaded');
  // The base schema: the folder's first migration, when it is the next a run would apply.
  const base = nextToRun(c.getState().migrations.items, 1)[0];
  if (base && base.name === c.getState().migrations.items[0]?.name) {
    c.holdRuns(`the simulated application's base schema: applying ${base.name}…`);
    c.startRun([base.name]);
    await c.run?.done;
  }
  const pct = (n: number, of: number) => (of ? Math.floor((100 * n) / of) : 100);
  return startDemoTraffic({
    url,
    orders,
    controlDir,
    onNote: (text) => c.say(text, 'info'),
    onLoad: (loaded, total, done) => {
      c.holdRuns(
        done
          ? null
          : `the simulated application is loading its data: ${loaded} of ${total} orders (${pct(loaded, total)}%); runs wait until it is loaded`,
      );
      if (done) void c.refreshChecklist({ sizes: true }); // the database's size, with the data in
    },
  });
}
