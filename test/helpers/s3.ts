// A real S3-compatible server for the tests (s3rver, in this process, on 127.0.0.1) and a TCP relay
// in front of it that a test can cut, as a network would.
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

/** s3rver accepts these credentials and refuses any other access key. */
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

export interface S3Server {
  endpoint: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(buckets: string[] = ['backups']): Promise<S3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = (await server.run()) as net.AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { ...S3_ENV, AWS_ENDPOINT_URL: endpoint },
    async stop() {
      server.httpServer?.closeAllConnections?.();
      await server.close().catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Relays TCP to `to`; cut() after `afterBytes` sent upstream drops every connection and stops listening. */
export async function cuttableRelay(
  to: string,
  afterBytes: number,
): Promise<{ endpoint: string; cut: Promise<void>; close(): void }> {
  const { port: toPort } = new URL(to);
  const sockets = new Set<net.Socket>();
  let sent = 0;
  let cutDone!: () => void;
  const cut = new Promise<void>((r) => (cutDone = r));
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(toPort), '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (b) => {
      sent += b.length;
      if (sent >= afterBytes) {
        relay.close();
        for (const s of sockets) s.destroy();
        cutDone();
        return;
      }
      upstream.write(b);
    });
    upstream.on('data', (b) => client.write(b));
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const { port } = relay.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cut,
    close() {
      relay.close();
      for (const s of sockets) s.destroy();
    },
  };
}
