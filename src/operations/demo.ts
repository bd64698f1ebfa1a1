// The demo's own sandbox: an embedded PostgreSQL, simulated application traffic and the runbook's
// actions made local. Only `demo` and the console's DEMO mode use it; nothing here touches a real server.
export { removeInBackground, startSandbox, type Sandbox } from '../sandbox/embedded.js';
export type { Traffic } from '../sandbox/traffic.js';
export { useDemoActions as installDemoActions } from '../sandbox/demoActions.js';

/** Loaded on first use: the traffic generator is only needed once the demo starts it. */
export async function startDemoTraffic(...args: Parameters<typeof import('../sandbox/traffic.js').startTraffic>) {
  const { startTraffic } = await import('../sandbox/traffic.js');
  return startTraffic(...args);
}
