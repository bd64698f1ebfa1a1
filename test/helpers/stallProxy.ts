// A TCP proxy in the test process between the CLI and PostgreSQL that can stop forwarding the
// server's replies on the connections open at that moment (a stalled path: a NAT that forgot them,
// a proxy that hangs), while the client's bytes still reach the server and new connections work.
// A stalled connection the client closes stays open on the server's side, as behind a NAT that
// forgot it: the server never learns, so its backend stays until someone ends it.
import net from 'node:net';

export interface StallProxy {
  port: number;
  /** The connections open now stop receiving anything from the server. */
  stallOpen(): void;
  /** Every connection from now on stalls from its first byte (a server that stopped answering). */
  stallAll(): void;
  /** How many connections the proxy has accepted so far. */
  accepted(): number;
  /** How many bytes the clients have sent so far (a query sent after a stall is one never answered). */
  sent(): number;
  close(): Promise<void>;
}

export async function stallProxy(host: string, port: number): Promise<StallProxy> {
  const open = new Set<{ stalled: boolean; client: net.Socket; upstream: net.Socket }>();
  let stallNew = false;
  let accepted = 0;
  let sent = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(port, host);
    const c = { stalled: stallNew, client, upstream };
    open.add(c);
    upstream.on('data', (d) => {
      if (!c.stalled) client.write(d);
    });
    client.on('data', (d) => {
      sent += d.length;
      upstream.write(d);
    });
    const end = () => {
      open.delete(c);
      client.destroy();
      upstream.destroy();
    };
    // A stalled connection stays open from the client's side: that is the point.
    const clientGone = () => (c.stalled ? client.destroy() : end());
    client.on('close', clientGone);
    client.on('error', clientGone);
    upstream.on('error', () => (c.stalled ? undefined : end()));
    upstream.on('close', () => (c.stalled ? undefined : end()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    stallOpen: () => {
      for (const c of open) c.stalled = true;
    },
    accepted: () => accepted,
    sent: () => sent,
    stallAll: () => {
      stallNew = true;
      for (const c of open) c.stalled = true;
    },
    close: () =>
      new Promise((r) => {
        for (const c of open) {
          c.client.destroy();
          c.upstream.destroy();
        }
        server.close(() => r());
      }),
  };
}
