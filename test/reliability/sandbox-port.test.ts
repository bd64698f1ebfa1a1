// Sandboxes started at the same moment: the port one of them was given can be taken before its
// server binds it (the race of a free-port probe). The sandbox then starts on another port.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import pg from 'pg';
import { startSandbox } from '../../src/sandbox/embedded.js';

describe('the sandbox and a port taken under it', () => {
  it('starts on another free port when the one it was given is taken by then', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as net.AddressInfo).port;
    const sandbox = await startSandbox({ port: taken });
    try {
      expect(sandbox.port).not.toBe(taken);
      const c = new pg.Client({ connectionString: sandbox.url('postgres') });
      await c.connect();
      expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      await c.end();
    } finally {
      await sandbox.stop();
      squatter.close();
    }
  }, 60_000);
});
