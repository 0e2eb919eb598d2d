// Workload-app instances as the fleet runs them (real processes, the resolved workload handed
// over as a file): each instance runs the SQL of its own version, so old and new coexist while a
// rolling deploy replaces them.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFleet } from '../app/fleet.ts';
import { DEFAULT_APP_SETTINGS } from '../app/types.ts';
import { mulberry32 } from '../load/rng.ts';
import { createScratchDatabase, type ScratchDatabase } from '../seed/scratch-db.ts';
import { BOOKING_SCHEMA, bookingRows } from './fixtures/booking-schema.ts';
import { pick } from './generators.ts';
import { workloadApp } from './workload-app.ts';

let db: ScratchDatabase;

beforeAll(async () => {
  db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'workload_instances');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(BOOKING_SCHEMA + bookingRows(100));
  await c.end();
});
afterAll(async () => {
  await db?.drop();
});

describe('workload app instances', () => {
  it('should run each version\'s SQL in its own instances while a rolling deploy replaces them', async () => {
    const spec = workloadApp({
      workload: {
        queries: {
          whichVersion: { sql: `select status, 'base' as version from "Booking" where id = $1`, params: [pick('Booking.id')], weight: 1 },
          legacy: { sql: 'select 1 as one from "Booking" where id = $1', params: [pick('Booking.id')], weight: 1 },
        },
        versions: { v2: { whichVersion: { sql: `select status, 'v2' as version from "Booking" where id = $1` }, legacy: null } },
      },
    });
    await spec.prepare!({ scenarioFile: null });
    expect(Object.keys(spec.versions)).toEqual(['base', 'v2']);
    const app = await spec.create({ scenarioFile: null, seededUrl: db.url, seed: 1, migrationSql: [], log: () => {} });
    const fleet = new AppFleet({ app, databaseUrl: db.url, instances: 2, settings: DEFAULT_APP_SETTINGS });
    const factory = await app.requestFactory(db.url, 'deploy');
    const rng = mulberry32(5);
    const answers: { route: string; status: number; version?: string; phase: string }[] = [];
    let phase = 'before';
    let rr = 0;
    const send = async () => {
      const targets = fleet.inRotation();
      const target = targets[rr++ % targets.length]!;
      const req = factory(rng);
      const res = await fetch(`${target.origin}${req.path}`, { method: 'POST', body: JSON.stringify(req.body), headers: { 'content-type': 'application/json' } });
      const body = (await res.json()) as { rows?: { version?: string }[] };
      answers.push({ route: req.route, status: res.status, version: body.rows?.[0]?.version, phase });
    };
    try {
      await fleet.start('base');
      for (let i = 0; i < 20; i++) await send();
      // Two instances are replaced one at a time: while the second is replaced, one base and one
      // v2 instance are both in rotation, for as long as the new one takes to start.
      let sending = true;
      const traffic = (async () => {
        while (sending) await send();
      })();
      await fleet.rollingDeploy('v2', (e) => {
        if (e.action === 'in-rotation' && phase === 'before') phase = 'during';
        if (e.action === 'stopped' && fleet.versions().every((v) => v === 'v2')) phase = 'after-deploy';
      });
      sending = false;
      await traffic;
      phase = 'after';
      for (let i = 0; i < 20; i++) await send();
    } finally {
      await fleet.stop();
      await app.dispose!();
    }
    const versions = (p: string) => new Set(answers.filter((a) => a.phase === p && a.route === 'whichVersion').map((a) => a.version));
    expect(versions('before')).toEqual(new Set(['base']));
    expect(versions('during')).toEqual(new Set(['base', 'v2']));
    expect(versions('after')).toEqual(new Set(['v2']));
    expect(answers.filter((a) => a.route === 'whichVersion').every((a) => a.status === 200)).toBe(true);
    // v2 no longer serves `legacy`: a client calling it gets a 404, as from a real balancer.
    expect(new Set(answers.filter((a) => a.route === 'legacy' && a.phase === 'after').map((a) => a.status))).toEqual(new Set([404]));
    expect(new Set(answers.filter((a) => a.route === 'legacy' && a.phase === 'before').map((a) => a.status))).toEqual(new Set([200]));
  });
});
