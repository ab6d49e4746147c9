import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = 'ok' | 'fail' | 'hang';
export interface Received {
  /** The request path: one receiver can stand for several subscriptions (/a, /b). */
  path: string;
  id: string;
  body: string;
  signature: string;
  answer: Answer;
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 (port 0) whose answer per request is scripted: 200, 500, or no answer at
 * all (the socket is held open past the sender's timeout, then dropped).
 */
export async function startReceiver(decide: (id: string, nth: number, path: string) => Answer = () => 'ok') {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const state = { decide };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const nth = (counts.get(`${req.url}|${id}`) ?? 0) + 1;
      counts.set(`${req.url}|${id}`, nth);
      const answer = state.decide(id, nth, String(req.url));
      received.push({ path: String(req.url), id, body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['webhook-signature']), answer, at: Date.now() });
      if (answer === 'ok') res.writeHead(200).end('ok');
      else if (answer === 'fail') res.writeHead(500).end('no');
      else setTimeout(() => req.socket.destroy(), 3000).unref();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    state,
    /** Requests answered 200, by event id. */
    acked: () => received.filter((r) => r.answer === 'ok'),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
