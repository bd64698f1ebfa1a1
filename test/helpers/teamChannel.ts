// The team's channel in tests: a real HTTP server on 127.0.0.1 that notifications are posted to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TeamChannel {
  url: string;
  /** The JSON bodies received (only when answering 'ok'). */
  bodies: any[];
  /** Every request, answered or not. */
  hits: number;
  /** Each request's path (with its query) and headers, answered or not. */
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** answer: 'ok' records bodies; 500 fails every request; 'silent' never answers. */
export async function teamChannel(answer: 'ok' | 500 | 'silent' = 'ok'): Promise<TeamChannel> {
  const h = { bodies: [] as any[], hits: 0, requests: [] } as unknown as TeamChannel;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      h.hits++;
      h.requests.push({ url: req.url ?? '', headers: req.headers });
      if (answer === 'silent') return;
      if (answer === 500) return void res.writeHead(500).end('no');
      h.bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  h.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/citadel`;
  h.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return h;
}
