// The workload app against real Postgres: a hand-written workload over a small schema with a
// quoted mixed-case table, a composite key and FKs, params drawn from the seeded rows.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../app/types.ts';
import { mulberry32 } from '../load/rng.ts';
import { createScratchDatabase, type ScratchDatabase } from '../seed/scratch-db.ts';
import { buildWorkloadServer } from './build-server.ts';
import { defineWorkload } from './define.ts';
import { BOOKING_SCHEMA, bookingRows } from './fixtures/booking-schema.ts';
import { array, json, int, now, oneOf, pick, pickRow, seq, timestamp, uuid, faker, nullable } from './generators.ts';
import { instanceWorkload } from './resolve.ts';
import { workloadApp } from './workload-app.ts';

let db: ScratchDatabase;
let pool: pg.Pool;
const ctxFor = (url: string): AppContext => ({ scenarioFile: null, seededUrl: url, seed: 7, migrationSql: [], log: () => {} });

beforeAll(async () => {
  db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'workload_app');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await pool.query(BOOKING_SCHEMA);
  await pool.query('CREATE TABLE typed (id bigserial PRIMARY KEY, n int, big bigint, u uuid, doc jsonb, nums int[], names text[], at timestamptz, day date, label text)');
  await pool.query(bookingRows(300));
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const booking = pickRow('"Booking"');
const workload = defineWorkload({
  queries: {
    getBooking: { sql: 'select * from "Booking" where uid = $1', params: [pick('Booking.uid')], weight: 5 },
    // Two columns of one row: both must match the same booking every time.
    getBookingByBoth: { sql: 'select * from "Booking" where id = $1 and uid = $2', params: [booking.col('id'), booking.col('uid')], weight: 3 },
    getUser: { sql: 'select * from "User" where id = $1', params: [pick('"Booking"."userId"')], weight: 2 },
    getAttendee: { sql: 'select * from attendee where booking_id = $1 and seat = $2', params: [pickRow('attendee').col('booking_id'), int(1, 2)], weight: 2 },
    cancel: { sql: 'update "Booking" set status = $2, "updatedAt" = now() where id = $1', params: [pick('"Booking"."id"'), oneOf(['cancelled', 'pending'], [3, 1])], weight: 1 },
    insertTyped: {
      sql: 'insert into typed (n, big, u, doc, nums, names, at, day, label) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      params: [int(-5, 5), pick('User.id'), uuid(), json({ source: oneOf(['web', 'app']), score: int(1, 5), nested: [int(1, 2)] }), array(int(1, 100), 0, 4), array(faker('person.firstName'), 1, 3), now(), timestamp('2024-01-01', '2024-12-31'), nullable(0.3, seq({ prefix: 'typed-' }))],
      weight: 1,
    },
  },
});


describe('workload app', () => {
  it('should serve every query with params drawn from the seeded rows, typed as PostgreSQL expects', async () => {
    const spec = workloadApp({ workload });
    const app = await spec.create(ctxFor(db.url));
    expect(app.mix).toMatchObject({ getBooking: 5 / 14, cancel: 1 / 14 });
    expect(app.notes).toEqual([]); // every query, writes too, prepares on the seeded schema
    const server = buildWorkloadServer({ version: 'base', routes: instanceWorkload(spec.resolved!).versions.base!, pool });
    const factory = await app.requestFactory(db.url, 'test');
    const rng = mulberry32(1);
    const seen: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const req = factory(rng);
      const res = await server.inject({ method: req.method, url: req.path, payload: req.body as object });
      expect(res.statusCode, `${req.route} ${res.body}`).toBe(200);
      seen[req.route] = (seen[req.route] ?? 0) + 1;
      if (req.route.startsWith('get')) expect(res.json().rowCount, req.route).toBe(1);
    }
    expect(Object.keys(seen).sort()).toEqual(['cancel', 'getAttendee', 'getBooking', 'getBookingByBoth', 'getUser', 'insertTyped']);
    const typed = (await pool.query('select count(*)::int n, count(distinct u)::int u, min(big)::text big, bool_and(doc ? \'source\') doc, max(cardinality(names))::int names from typed')).rows[0];
    expect(typed.n).toBe(seen.insertTyped);
    expect(typed.u).toBe(typed.n);
    expect(BigInt(typed.big)).toBeGreaterThan(9007199254740993n); // bigint beyond 2^53 kept exactly
    expect(typed.doc).toBe(true);
    await server.close();
    await app.dispose!();
  });

  it('should draw the same values for the same seed', async () => {
    const app = await workloadApp({ workload }).create(ctxFor(db.url));
    const draw = async () => {
      const f = await app.requestFactory(db.url, 'same');
      const rng = mulberry32(3);
      return Array.from({ length: 50 }, () => f(rng)).filter((r) => r.route !== 'insertTyped').map((r) => JSON.stringify(r.body));
    };
    expect(await draw()).toEqual(await draw());
    await app.dispose!();
  });

  it('should count a query that fails at run time by its SQLSTATE, not crash', async () => {
    const spec = workloadApp({ workload: { queries: { broken: { sql: 'select no_such_column from "Booking" where id = $1', params: [pick('Booking.id')] } } } });
    const app = await spec.create(ctxFor(db.url));
    expect(app.notes!.join('\n')).toMatch(/broken.*does not prepare.*42703/);
    const server = buildWorkloadServer({ version: 'base', routes: instanceWorkload(spec.resolved!).versions.base!, pool });
    const req = (await app.requestFactory(db.url, 't'))(mulberry32(1));
    const res = await server.inject({ method: 'POST', url: req.path, payload: req.body as object });
    expect(res.statusCode).toBe(500);
    expect(res.json().sqlstate).toBe('42703');
    expect(server.stats.sqlstates).toEqual({ '42703': 1 });
    await server.close();
    await app.dispose!();
  });

  it('should refuse a pick of a table or column that does not exist, listing near matches, before any load', async () => {
    const spec = workloadApp({
      workload: { queries: { a: { sql: 'select $1::text, $2::text, $3::text', params: [pick('Bookings.uid'), pick('Booking.uuid'), pickRow('atendee').col('seat')] } } },
    });
    const err = await spec.create(ctxFor(db.url)).catch((e) => e);
    expect(err.code).toBe('REH_WORKLOAD_UNKNOWN_NAME');
    expect(err.message).toMatch(/pick\("Bookings.uid"\): no table "Bookings" \(near: Booking\)/);
    expect(err.message).toMatch(/pick\("Booking.uuid"\): table "Booking" has no column "uuid" \(near: uid, id\)/);
    expect(err.message).toMatch(/pickRow\("atendee"\).*no table "atendee" \(near: attendee\)/);
  });

  it('should refuse a pick from a table with no rows, or of a column that is always NULL', async () => {
    const empty = workloadApp({ workload: { queries: { a: { sql: 'select * from empty_table where id = $1', params: [pick('empty_table.id')] } } } });
    await expect(empty.create(ctxFor(db.url))).rejects.toMatchObject({ code: 'REH_WORKLOAD_NO_ROWS', message: expect.stringMatching(/"empty_table" has no rows/) });
    await pool.query('ALTER TABLE "User" ADD COLUMN nickname text');
    const nulls = workloadApp({ workload: { queries: { a: { sql: 'select * from "User" where nickname = $1', params: [pick('User.nickname')] } } } });
    await expect(nulls.create(ctxFor(db.url))).rejects.toMatchObject({ code: 'REH_WORKLOAD_NO_ROWS', message: expect.stringMatching(/pick\("User.nickname"\): the column is NULL in all 300 sampled rows/) });
  });

  it('should refuse an initial version the workload does not define', async () => {
    const spec = workloadApp({ workload, initialVersion: 'v9' });
    await expect(spec.prepare!({ scenarioFile: null })).rejects.toMatchObject({ code: 'REH_WORKLOAD_INVALID', message: expect.stringMatching(/initialVersion "v9" is not a version of the workload \(base\)/) });
  });
});
