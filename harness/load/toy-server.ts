// Test helper: a tiny node:http app on 127.0.0.1 whose routes can be blocked on demand, the way a
// table lock blocks the queries behind one endpoint. Route = first path segment (/write/3 → "write").
// Special routes: /fail → 503 {sqlstate:'55P03'}, /boom → 500 text, /hangup → connection destroyed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from '../clock.ts';

interface Gate {
  promise: Promise<void>;
  open: () => void;
  timer: NodeJS.Timeout;
}

export interface ToyServer {
  origin: string;
  /** Requests to `route` ('*' = every route) wait until ms from now; resolves with the release time. */
  block(route: string, ms: number): Promise<number>;
  /** Opens every gate now (test cleanup). */
  releaseAll(): void;
  /** Requests received, per route. */
  received: Map<string, number>;
  receivedTotal(): number;
  /** 2xx responses the server finished writing: an independent count of what was served. */
  served(): number;
  /** Requests whose client went away before the response was sent (aborted or timed out). */
  abandoned(): number;
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

export const startToyServer = async (): Promise<ToyServer> => {
  const gates = new Map<string, Gate>();
  const received = new Map<string, number>();
  let abandoned = 0;
  let served = 0;

  const server = http.createServer(async (req, res) => {
    const route = new URL(req.url ?? '/', 'http://toy').pathname.split('/')[1] ?? '';
    received.set(route, (received.get(route) ?? 0) + 1);
    res.on('close', () => {
      if (!res.writableFinished) abandoned++;
    });
    res.on('finish', () => {
      if (res.statusCode >= 200 && res.statusCode < 300) served++;
    });
    try {
      for await (const _ of req) {
        // drain the request body
      }
      const gate = gates.get(route) ?? gates.get('*');
      if (gate) await gate.promise;
      if (route === 'hangup') {
        req.socket.destroy(); // the app crashed mid-request
      } else if (route === 'fail') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'lock_not_available', sqlstate: '55P03' }));
      } else if (route === 'boom') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('not json');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, route }));
      }
    } catch {
      res.destroy(); // client went away while we waited
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const open = (route: string, gate: Gate) => {
    clearTimeout(gate.timer);
    if (gates.get(route) === gate) gates.delete(route);
    gate.open();
  };

  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    receivedTotal: () => [...received.values()].reduce((a, b) => a + b, 0),
    abandoned: () => abandoned,
    served: () => served,
    block(route, ms) {
      let resolveGate!: () => void;
      const promise = new Promise<void>((r) => (resolveGate = r));
      return new Promise<number>((resolveRelease) => {
        const gate: Gate = {
          promise,
          open: () => {
            resolveGate();
            resolveRelease(now());
          },
          timer: setTimeout(() => open(route, gate), ms),
        };
        gates.set(route, gate);
      });
    },
    releaseAll() {
      for (const [route, gate] of gates) open(route, gate);
    },
    openConnections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    async close() {
      for (const [route, gate] of gates) open(route, gate);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
