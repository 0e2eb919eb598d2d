// npm run bench:observer-overhead -- [--rows N] [--rounds R] [--seconds S]
//
// What watching costs the app: its throughput at capacity (autocannon, closed loop, saturating
// 2 sample-app instances) with the lock sampler at 100 ms (the default), at 20 ms, and off, plus
// the statement tracer's lock-wait watcher (20 ms polls) beside each sampler setting. The settings
// take turns within each round, each round starting with the next one (an app still warming up
// favours whoever runs last), so machine noise hits all of them alike; the median's ratio to "off"
// is what to read. Target: < 3 % at the default.
import { parseArgs } from 'node:util';
import { AppFleet } from '../harness/app/fleet.ts';
import { DEFAULT_APP_SETTINGS } from '../harness/app/types.ts';
import { installSignalCleanup } from '../harness/cleanup.ts';
import { probeCapacity } from '../harness/load/capacity-probe.ts';
import { LockSampler } from '../harness/observe/lock-sampler.ts';
import { LockWaitWatcher } from '../harness/observe/statement-tracer.ts';
import { startEmbeddedPostgres } from '../harness/postgres/embedded.ts';
import { seededSampleApp } from './seeded-sample-app.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } } });
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);

interface Setting {
  name: string;
  samplerMs: number | null;
}
const SETTINGS: Setting[] = [
  { name: 'off', samplerMs: null },
  { name: 'sampler 100 ms + watcher', samplerMs: 100 },
  { name: 'sampler 20 ms + watcher', samplerMs: 20 },
];

const main = async () => {
  installSignalCleanup();
  const pg = await startEmbeddedPostgres();
  try {
    const db = 'bench_observer';
    const app = await seededSampleApp(pg, db, ROWS);
    const fleet = new AppFleet({ app, databaseUrl: pg.url(db), instances: 2, settings: DEFAULT_APP_SETTINGS });
    await fleet.start('old');
    const factory = await app.requestFactory(pg.url(db), 'bench-observer');
    console.log(`sample app, 2 instances, ${ROWS.toLocaleString('en-US')} users; ${SECONDS} s at capacity per setting, ${ROUNDS} rounds`);
    const rps = new Map<string, number[]>(SETTINGS.map((s) => [s.name, []]));
    try {
      await probeCapacity({ balancer: fleet, factory, durationMs: 8000 }); // warm the app (JIT) and the caches first
      for (let round = 1; round <= ROUNDS; round++) {
        for (const s of SETTINGS.map((_, k) => SETTINGS[(k + round - 1) % SETTINGS.length]!)) {
          const sampler = s.samplerMs === null ? null : new LockSampler(pg.url(db), s.samplerMs);
          const watcher = s.samplerMs === null ? null : new LockWaitWatcher(pg.url(db));
          await Promise.all([sampler?.start(), watcher?.start()]);
          const r = await probeCapacity({ balancer: fleet, factory, durationMs: SECONDS * 1000 });
          await Promise.all([sampler?.stop(), watcher?.stop()]);
          rps.get(s.name)!.push(r.rps);
          console.log(`round ${round}  ${s.name.padEnd(26)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${Math.round(r.p99Ms)} ms`);
        }
      }
    } finally {
      await fleet.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(rps.get('off')!);
    console.log('\nsetting                      median req/s   vs off');
    for (const s of SETTINGS) {
      const m = median(rps.get(s.name)!);
      console.log(`${s.name.padEnd(28)} ${Math.round(m).toLocaleString('en-US').padStart(12)}   ${((m / base - 1) * 100).toFixed(1).padStart(5)} %`);
    }
  } finally {
    await pg.stop();
  }
};

await main();
