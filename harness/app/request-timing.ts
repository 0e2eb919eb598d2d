// Per-request cause timing, for every app instance: how long a request waited for a pg pool
// connection and how long its queries took, sent back as a Server-Timing header
// (`pool;dur=…, db;dur=…, pid;desc=…`) that the load drivers record. It wraps the pool once
// (pool.connect, and each client's query the first time it is handed out), so app code is unchanged.
//
// A request's timing travels on the client while the request holds it, not in an async context:
// pg-pool hands a freed client to the next waiter from inside the *releasing* request's callback,
// so the context at that moment belongs to the wrong request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { formatServerTiming, SERVER_TIMING_HEADER, type RequestTiming } from './server-timing.ts';


const TIMING = Symbol('rehearse.requestTiming');
const WRAPPED = Symbol('rehearse.queryTimed');
type Timed = { [TIMING]?: RequestTiming; [WRAPPED]?: true };
type Callback = (...args: unknown[]) => void;

const current = new AsyncLocalStorage<RequestTiming>();

/** Times the client's queries for whichever request holds it (once per client). */
function timeQueries(client: pg.PoolClient & Timed): void {
  if (client[WRAPPED]) return;
  client[WRAPPED] = true;
  const query = client.query as unknown as (...args: unknown[]) => unknown;
  (client as unknown as { query: unknown }).query = function timedQuery(this: Timed, ...args: unknown[]): unknown {
    const t = client[TIMING];
    if (!t) return query.apply(this, args);
    const start = performance.now();
    const add = () => void (t.dbMs += performance.now() - start);
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as Callback;
      args[last] = (...r: unknown[]) => { add(); cb(...r); };
      return query.apply(this, args);
    }
    const res = query.apply(this, args);
    if (res && typeof (res as Promise<unknown>).then === 'function') {
      return (res as Promise<unknown>).then((v) => { add(); return v; }, (e: unknown) => { add(); throw e; });
    }
    return res; // a Submittable: not timed (the harness's apps do not use them)
  };
}

/** Wraps pool.connect (which pool.query uses too) so acquisition and queries are timed per request. */
export function timePool(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: Callback) => Promise<pg.PoolClient> | undefined;
  (pool as unknown as { connect: unknown }).connect = (cb?: Callback) => {
    const t = current.getStore(); // captured now: the callback may run in another request's context
    const start = performance.now();
    const got = (client: pg.PoolClient & Timed) => {
      client[TIMING] = t;
      if (!t) return;
      t.poolMs += performance.now() - start;
      t.pid = (client as unknown as { processID?: number }).processID ?? null;
      timeQueries(client);
    };
    if (cb) {
      return connect((err, client, release) => {
        if (!err && client) got(client as pg.PoolClient & Timed);
        cb(err, client, release);
      });
    }
    return connect()!.then((client) => { got(client as pg.PoolClient & Timed); return client; });
  };
}

/** Starts a timing for every request and sends it as the Server-Timing header of the response. */
export function sendServerTiming(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const t: RequestTiming = { poolMs: 0, dbMs: 0, pid: null };
    (req as unknown as Timed)[TIMING] = t;
    current.run(t, done);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const t = (req as unknown as Timed)[TIMING];
    if (t) reply.header(SERVER_TIMING_HEADER, formatServerTiming(t));
    return payload;
  });
}
