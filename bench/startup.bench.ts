// Start-up figures of issue 3: `citadel-migrate --help` (target < 300 ms) and the embedded
// sandbox's start (initdb + server ready), each the median of several runs.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/embedded.js';

const BIN = fileURLToPath(new URL('../bin/citadel-migrate', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStartup() {
  const help: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    await execa('node', [BIN, '--help']);
    help.push(performance.now() - t0);
  }
  const sandbox: number[] = [];
  for (let i = 0; i < 3; i++) {
    const sb = await startSandbox();
    sandbox.push(sb.startMs);
    await sb.stop();
  }
  return {
    helpMs: Math.round(median(help)),
    helpTarget: '< 300 ms',
    sandboxStartMs: Math.round(median(sandbox)),
    allSandboxStartMs: sandbox,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchStartup(), null, 2));
