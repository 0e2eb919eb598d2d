// npm run bench:warm-up -- [--rows N] [--rate R] [--rounds N] [--seconds S]
//
// Where do the warm-up defaults come from? Cold starts of the sample app fleet on this machine:
// each round clones the seeded database, starts 2 cold instances and runs open-model load for
// S seconds. It prints each round's per-second p99 and machine CPU, then replays the warm-up
// detector (as it runs live: every 250 ms, only requests answered by then) with several criteria
// side by side: when each would have ended warm-up, the steady-state p99 it would report, and the
// p99 of the next 4 s (what a `baseline` pause step would see), as a ratio to the steady state.
import { parseArgs } from 'node:util';
import { AppFleet } from '../harness/app/fleet.ts';
import { DEFAULT_APP_SETTINGS } from '../harness/app/types.ts';
import { installSignalCleanup } from '../harness/cleanup.ts';
import { now, sleep } from '../harness/clock.ts';
import { startOpenLoad } from '../harness/load/open-model.ts';
import { cpuUse } from '../harness/model/cpu.ts';
import type { RequestRecord } from '../harness/model/records.ts';
import type { SteadyCriteria } from '../harness/model/schema.ts';
import { DEFAULT_STEADY_CRITERIA, isSteady, recentSecondP99s } from '../harness/model/steady-state.ts';
import { summarizeTraffic } from '../harness/model/traffic.ts';
import { CpuSampler } from '../harness/observe/cpu-sampler.ts';
import { cloneDatabase, dropDatabase } from '../harness/postgres/databases.ts';
import { startEmbeddedPostgres } from '../harness/postgres/embedded.ts';
import { seededSampleApp } from './seeded-sample-app.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, rate: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } } });
const ROWS = Number(values.rows ?? 1_000_000);
const RATE = Number(values.rate ?? 250);
const ROUNDS = Number(values.rounds ?? 4);
const SECONDS = Number(values.seconds ?? 25);

const CANDIDATES: [string, SteadyCriteria][] = [
  ['default (3 s, 2× or 10 ms)', DEFAULT_STEADY_CRITERIA],
  ['3 s, 1.5× or 10 ms', { ...DEFAULT_STEADY_CRITERIA, maxRatio: 1.5 }],
  ['5 s, 2× or 10 ms', { ...DEFAULT_STEADY_CRITERIA, windowSeconds: 5 }],
  ['2 s, 2× or 10 ms', { ...DEFAULT_STEADY_CRITERIA, windowSeconds: 2 }],
];

/** Replays the live detector: the first poll (every 250 ms) at which it would call the load steady. */
const settleAt = (records: RequestRecord[], startMs: number, endMs: number, c: SteadyCriteria): number | null => {
  const byEnd = [...records].sort((a, b) => a.endMs - b.endMs);
  for (let t = startMs + 250; t <= Math.min(endMs, startMs + c.capMs); t += 250) {
    if (t - startMs < c.windowSeconds * 1000) continue;
    const known = byEnd.filter((r) => r.endMs <= t);
    const oldest = Math.max(0, ...records.filter((r) => r.scheduledMs <= t && r.endMs > t).map((r) => t - r.scheduledMs));
    if (isSteady(recentSecondP99s(known, t, c.windowSeconds), oldest, c)) return t;
  }
  return null;
};

const main = async () => {
  installSignalCleanup();
  const pg = await startEmbeddedPostgres();
  try {
    const app = await seededSampleApp(pg, 'bench_seed', ROWS);
    console.log(`cold starts of 2 sample-app instances, ${ROWS.toLocaleString('en-US')} users, ${RATE} req/s open model, ${SECONDS} s each`);
    const rows: string[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const db = `bench_round_${round}`;
      await cloneDatabase(pg, 'bench_seed', db);
      const fleet = new AppFleet({ app, databaseUrl: pg.url(db), instances: 2, settings: DEFAULT_APP_SETTINGS });
      const cpu = new CpuSampler(() => [{ ref: { name: 'postgres', kind: 'postgres', label: 'Postgres' }, pid: pg.serverPid?.() ?? null }, ...fleet.processes().map((p) => ({ ref: { name: p.id, kind: 'app' as const, label: p.id }, pid: p.pid }))]);
      cpu.start();
      try {
        await fleet.start('old');
        const load = startOpenLoad({ rate: RATE, factory: await app.requestFactory(pg.url(db), `bench-${round}`), balancer: fleet, seed: round, connectionsPerTarget: 4096 });
        await sleep(SECONDS * 1000);
        const endMs = now();
        const records = await load.stop({ graceMs: 2000 });
        cpu.stop();
        const perSecond = Array.from({ length: SECONDS }, (_, s) => summarizeTraffic(records, load.startMs + s * 1000, load.startMs + (s + 1) * 1000).p99Ms);
        const use = cpuUse({ samples: cpu.samples, components: cpu.components, cores: cpu.cores, intervalMs: cpu.intervalMs, runStartMs: load.startMs, runEndMs: endMs, steady: null });
        console.log(`\nround ${round}: p99 per second (ms)  ${perSecond.map((p) => Math.round(p ?? -1)).join(' ')}`);
        console.log(`round ${round}: machine busy cores    ${use.machine.map((m) => (m === null ? '-' : m.toFixed(1))).join(' ')}`);
        for (const [name, c] of CANDIDATES) {
          const at = settleAt(records, load.startMs, endMs, c);
          if (at === null) {
            rows.push([`${round}`, name, 'not steady', '', '', '']);
            continue;
          }
          const steady = summarizeTraffic(records, at - c.windowSeconds * 1000, at).p99Ms ?? 0;
          const next = summarizeTraffic(records, at, at + 4000).p99Ms ?? 0;
          rows.push([`${round}`, name, `${((at - load.startMs) / 1000).toFixed(2)} s`, `${Math.round(steady)} ms`, `${Math.round(next)} ms`, (next / steady).toFixed(2)]);
        }
      } finally {
        await fleet.stop();
        await dropDatabase(pg, db).catch(() => {});
      }
    }
    console.log('\nround  criteria                     settles at  steady p99  next 4 s p99  next / steady');
    for (const r of rows) console.log(`${r[0]!.padEnd(6)} ${r[1]!.padEnd(28)} ${r[2]!.padStart(10)}  ${r[3]!.padStart(10)}  ${r[4]!.padStart(12)}  ${r[5]!.padStart(13)}`);
  } finally {
    await pg.stop();
  }
};

await main();
