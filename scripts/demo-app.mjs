#!/usr/bin/env node
// The demo's stand-in for the CitadelBuy deployment commands of the runbook (kubectl, systemctl): it
// switches the simulated application of `citadel-migrate demo` (src/sandbox/traffic.ts) through
// files in $CITADEL_DEMO_CONTROL, and runs a small smoke test against $DEMO_DATABASE_URL.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const control = process.env.CITADEL_DEMO_CONTROL;
const [what, how] = process.argv.slice(2);
if (!control) {
  console.error('CITADEL_DEMO_CONTROL is not set: this script only drives the demo');
  process.exit(2);
}
mkdirSync(control, { recursive: true });
const flag = (name, on) =>
  on
    ? writeFileSync(path.join(control, name), new Date().toISOString())
    : rmSync(path.join(control, name), { force: true });

switch (`${what} ${how ?? ''}`.trim()) {
  case 'maintenance on':
    flag('maintenance', true);
    console.log('web: maintenance page on, citadelbuy-web scaled to 0 (demo)');
    break;
  case 'maintenance off':
    flag('maintenance', false);
    console.log('web: maintenance page off, citadelbuy-web back (demo)');
    break;
  case 'workers stop':
    flag('workers-stopped', true);
    console.log('citadelbuy-worker: stopping (demo)');
    break;
  case 'workers start':
    flag('workers-stopped', false);
    console.log('citadelbuy-worker: started (demo)');
    break;
  case 'restart':
    flag('maintenance', false);
    flag('workers-stopped', false);
    console.log('citadelbuy-api, citadelbuy-worker: restarted (demo)');
    break;
  case 'smoke-test': {
    const { default: pg } = await import('pg');
    const c = new pg.Client({
      connectionString: process.env.DEMO_DATABASE_URL,
      application_name: 'citadelbuy-smoke-test',
    });
    await c.connect();
    try {
      for (const [label, sql] of [
        ['product browsing', 'SELECT count(*)::int AS n FROM products WHERE "isActive"'],
        ['order history', 'SELECT count(*)::int AS n FROM orders'],
        ['user login', 'SELECT count(*)::int AS n FROM users'],
      ]) {
        const n = (await c.query(sql)).rows[0].n;
        console.log(`smoke: ${label}: ${n} rows ✓`);
      }
    } catch (err) {
      console.error(`smoke: FAILED: ${err.message}`);
      process.exitCode = 1;
    } finally {
      await c.end();
    }
    break;
  }
  default:
    console.error(
      `usage: demo-app.mjs maintenance on|off | workers stop|start | restart | smoke-test (got "${process.argv.slice(2).join(' ')}")`,
    );
    process.exit(2);
}
