// The app measures, per request, its pool wait and query time and sends them as Server-Timing;
// both load drivers put them on the request records.
import Fastify from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../clock.ts';
import { startClosedLoad } from '../load/closed-model.ts';
import { startOpenLoad } from '../load/open-model.ts';
import type { RequestRecord } from '../model/records.ts';
import { pgPool } from '../postgres/client.ts';
import { createScratchDatabase, type ScratchDatabase } from '../seed/scratch-db.ts';
import { sendServerTiming, timePool } from './request-timing.ts';
import { parseServerTiming } from './server-timing.ts';

let db: ScratchDatabase;
let pool: pg.Pool;
let origin: string;
const app = Fastify();

beforeAll(async () => {
  db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'rehearse_timing_test');
  pool = pgPool({ connectionString: db.url, application_name: 'timing-test', max: 1 });
  timePool(pool);
  app.get('/sleep/:ms', async (req) => (await pool.query('SELECT pg_sleep($1::float / 1000) AS x', [Number((req.params as { ms: string }).ms)])).rowCount);
  app.get('/tx', async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_sleep(0.05)');
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    return 'ok';
  });
  app.get('/none', async () => 'no database');
  sendServerTiming(app);
  origin = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await pool.end();
  await db.drop();
});

const timing = async (path: string) => parseServerTiming((await fetch(origin + path)).headers.get('server-timing'));

describe('request timing', () => {
  it('sends query time and backend pid, and zero for a request that used no database', async () => {
    const t = (await timing('/sleep/100'))!;
    expect(t.dbMs).toBeGreaterThanOrEqual(100);
    expect(t.dbMs).toBeLessThan(1000);
    expect(t.backendPid).toBeGreaterThan(0);
    expect(await timing('/none')).toEqual({ poolMs: 0, dbMs: 0, backendPid: null });
  });

  it('sums the queries of a transaction on a checked-out client', async () => {
    const t = (await timing('/tx'))!;
    expect(t.dbMs).toBeGreaterThanOrEqual(50);
    expect(t.dbMs).toBeLessThan(1000);
  });

  it('charges the wait for the one pool connection to the request that waited, not to the one holding it', async () => {
    const holder = timing('/sleep/400');
    await sleep(100);
    const waiter = await timing('/sleep/0');
    const held = (await holder)!;
    expect(held.poolMs).toBeLessThan(50);
    expect(held.dbMs).toBeGreaterThanOrEqual(400);
    expect(waiter!.poolMs).toBeGreaterThan(200); // ~300 ms until the holder's query ended
    expect(waiter!.dbMs).toBeLessThan(100);
  });

  it.each(['open', 'closed'] as const)('reaches the %s model load driver\'s records', async (model) => {
    const balancer = { inRotation: () => [{ id: 'a', origin }] };
    const factory = () => ({ route: 'sleep', method: 'GET' as const, path: '/sleep/1' });
    const run = model === 'open' ? startOpenLoad({ rate: 20, factory, balancer, seed: 1 }) : startClosedLoad({ connections: 1, factory, balancer, seed: 1 });
    await sleep(500);
    const records: RequestRecord[] = await run.stop();
    const ok = records.filter((r) => r.outcome === 'ok');
    expect(ok.length).toBeGreaterThan(3);
    for (const r of ok) {
      expect(r.dbMs).toBeGreaterThanOrEqual(1);
      expect(r.poolMs).toBeGreaterThanOrEqual(0);
      expect(r.backendPid).toBeGreaterThan(0);
    }
  });
});

describe('parseServerTiming', () => {
  it('reads pool, db and pid in any order and ignores other metrics', () => {
    expect(parseServerTiming('cache;dur=1, pid;desc="42", db;dur=3.5, pool;dur=2')).toEqual({ poolMs: 2, dbMs: 3.5, backendPid: 42 });
  });
  it('is null when the app sent no timing or an incomplete one (not measured)', () => {
    expect(parseServerTiming(undefined)).toBeNull();
    expect(parseServerTiming('pool;dur=2')).toBeNull();
    expect(parseServerTiming('pool;dur=x, db;dur=1')).toBeNull();
  });
});
