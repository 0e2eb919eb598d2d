// npm run bench:request-timing -- [--seconds S] [--rounds N] [--connections C]
//
// What does per-request cause timing (harness/app/request-timing.ts: the pool wrapper and the
// Server-Timing hook) cost? Two identical fastify + pg apps on one embedded Postgres, one with the
// timing installed, under the same closed-model load in alternating rounds; prints req/s and
// p50/p99 of each, side by side, and the ratio timed / plain.
import Fastify from 'fastify';
import { parseArgs } from 'node:util';
import { sendServerTiming, timePool } from '../harness/app/request-timing.ts';
import { installSignalCleanup } from '../harness/cleanup.ts';
import { sleep } from '../harness/clock.ts';
import { startClosedLoad } from '../harness/load/closed-model.ts';
import { summarizeTraffic } from '../harness/model/traffic.ts';
import { pgPool } from '../harness/postgres/client.ts';
import { createDatabase } from '../harness/postgres/databases.ts';
import { startEmbeddedPostgres } from '../harness/postgres/embedded.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? 5);
const ROUNDS = Number(values.rounds ?? 3);
const CONNECTIONS = Number(values.connections ?? 16);

const startApp = async (url: string, timed: boolean) => {
  const pool = pgPool({ connectionString: url, application_name: `bench-${timed ? 'timed' : 'plain'}`, max: 10 });
  if (timed) timePool(pool);
  const app = Fastify();
  app.get('/q', async () => (await pool.query('SELECT 1 AS x')).rows[0]);
  if (timed) sendServerTiming(app);
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return { origin, close: async () => { await app.close(); await pool.end(); } };
};

const main = async () => {
  installSignalCleanup();
  const pg = await startEmbeddedPostgres();
  try {
    await createDatabase(pg, 'bench_timing');
    const apps = { plain: await startApp(pg.url('bench_timing'), false), timed: await startApp(pg.url('bench_timing'), true) };
    console.log(`SELECT 1 per request, pool 10, ${CONNECTIONS} connections closed model, ${SECONDS} s per round, ${ROUNDS} rounds each, alternating`);
    const sums = { plain: { rps: 0, p50: 0, p99: 0 }, timed: { rps: 0, p50: 0, p99: 0 } };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of ['plain', 'timed'] as const) {
        const run = startClosedLoad({ connections: CONNECTIONS, factory: () => ({ route: 'q', method: 'GET', path: '/q' }), balancer: { inRotation: () => [{ id: kind, origin: apps[kind].origin }] }, seed: round });
        await sleep(SECONDS * 1000);
        const t = summarizeTraffic(await run.stop(), -Infinity, Infinity);
        const rps = t.completed / SECONDS;
        sums[kind].rps += rps; sums[kind].p50 += t.p50Ms ?? 0; sums[kind].p99 += t.p99Ms ?? 0;
        console.log(`round ${round} ${kind.padEnd(5)} ${rps.toFixed(0).padStart(6)} req/s  p50 ${(t.p50Ms ?? 0).toFixed(2)} ms  p99 ${(t.p99Ms ?? 0).toFixed(2)} ms`);
      }
    }
    const r = (k: 'rps' | 'p50' | 'p99') => (sums.timed[k] / sums.plain[k]).toFixed(3);
    console.log(`timed / plain: req/s ${r('rps')}  p50 ${r('p50')}  p99 ${r('p99')}`);
    await apps.plain.close();
    await apps.timed.close();
  } finally {
    await pg.stop();
  }
};

await main();
