// The workload app end to end through rehearse(): a scenario file with workloadApp() and a
// dataset of its own, a step that holds ACCESS EXCLUSIVE on "Booking" for a known 2 s.
// Without an app lock_timeout the "Booking" route stalls ≈ 2 s and the "User" route does not;
// with one, the same hold shows up as errors counted by SQLSTATE 55P03 instead of a stall.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../model/schema.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenario = fileURLToPath(new URL('./fixtures/hold-lock-scenario.ts', import.meta.url));
const longestStall = (v: VariantResult, route: string) => Math.max(0, ...v.stalls.filter((s) => s.route === route).map((s) => s.durationMs));


describe('workload app under a 2 s ACCESS EXCLUSIVE hold', () => {
  let report: RunReport;

  it('should stall the route that reads the locked table ≈ 2 s, attributed to the step and statement', async () => {
    // A pool big enough for every request the hold blocks (≈ 2 s × 20 req/s): with the default 10
    // connections the blocked reads take the whole pool and "User" reads queue behind them too,
    // which is what a real app does (the report shows it as pool waiting), but not what this test isolates.
    ({ report } = await rehearseForTest(scenario, { rows: 2000, rate: 40, appSettings: { poolSize: 40 } }));
    const v = report.variants[0]!;
    const stall = v.stalls.filter((s) => s.route === 'getBooking').sort((a, b) => b.durationMs - a.durationMs)[0]!;
    expect(stall.durationMs).toBeGreaterThanOrEqual(1600);
    expect(stall.durationMs).toBeLessThanOrEqual(2400);
    expect(stall).toMatchObject({ step: 'hold-lock', statement: 'SELECT pg_sleep(2)' });
    expect(v.summary.longestStall).toMatchObject({ route: 'getBooking', step: 'hold-lock' });
    expect(v.summary.errorRate).toBe(0);
  });

  it('should not stall the route that reads another table', () => {
    // Scheduling noise on a busy machine makes gaps of a few hundred ms on any route; the hold
    // (or a pool it filled) would show as a gap near its 2 s.
    const during = report.variants[0]!.stalls.filter((s) => s.route === 'getUser' && s.step === 'hold-lock');
    expect(Math.max(0, ...during.map((s) => s.durationMs))).toBeLessThan(1000);
  });

  it('should describe the workload in the report: each route with its weight, SQL and params', () => {
    const app = report.variants[0]!.app;
    expect(app.name).toBe('workload (hold-lock-workload.ts)');
    expect(app.routes).toEqual([
      { name: 'getBooking', weight: 0.5, sql: { base: ['select * from "Booking" where uid = $1'] }, params: ['pick(Booking.uid)'] },
      { name: 'getUser', weight: 0.5, sql: { base: ['select * from "User" where id = $1'] }, params: ['pick(User.id)'] },
    ]);
    expect(report.variants[0]!.load.mix).toEqual({ getBooking: 0.5, getUser: 0.5 });
  });

  it('should turn the same hold into errors counted by SQLSTATE 55P03 when the app sets lock_timeout', async () => {
    const { report: withTimeout } = await rehearseForTest(scenario, { rows: 2000, rate: 40, appSettings: { lockTimeoutMs: 200 } });
    const v = withTimeout.variants[0]!;
    expect(v.app.settings.lockTimeoutMs).toBe(200);
    // ≈ 20 "Booking" reads a second for 2 s, each failing after 200 ms instead of waiting.
    expect(v.summary.errorsBySqlstate['55P03']).toBeGreaterThan(20);
    expect(longestStall(v, 'getBooking')).toBeLessThan(1000);
    const hold = v.steps.find((s) => s.name === 'hold-lock')!;
    expect(hold.traffic!.non2xx).toBeGreaterThan(20);
    expect(Object.keys(v.summary.errorsBySqlstate)).toEqual(['55P03']);
  });
});
