import { afterEach, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { buildSeries, errorsBySqlstate } from '../model/traffic.ts';
import { startClosedLoad } from './closed-model.ts';
import { startToyServer, type ToyServer } from './toy-server.ts';
import type { LoadRun, LoadTarget, RequestFactory } from './types.ts';

const servers: ToyServer[] = [];
const runs: LoadRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const server = async () => {
  const s = await startToyServer();
  servers.push(s);
  return s;
};
const start = (...args: Parameters<typeof startClosedLoad>) => {
  const run = startClosedLoad(...args);
  runs.push(run);
  return run;
};
const readWrite: RequestFactory = (rng) =>
  rng() < 0.5 ? { route: 'read', method: 'GET', path: '/read/1' } : { route: 'write', method: 'POST', path: '/write', body: { n: 1 } };

describe('closed model', () => {
  it('records every request and counts the ones outstanding at stop as unfinished', async () => {
    const app = await server();
    const run = start({ connections: 4, factory: readWrite, balancer: { inRotation: () => [{ id: 'a', origin: app.origin }] }, seed: 1 });
    await sleep(300);
    const blockedAt = now();
    void app.block('write', 10_000);
    await sleep(500); // each connection soon draws a write and waits on it: the closed loop stalls
    expect(run.inFlight()).toBe(4);
    expect(run.oldestInFlightMs()).toBeGreaterThan(300);
    const stopMs = now();
    const records = await run.stop();

    expect(records.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(20);
    const unfinished = records.filter((r) => r.outcome === 'unfinished');
    expect(unfinished).toHaveLength(4);
    for (const r of unfinished) {
      expect(r.route).toBe('write');
      expect(r.scheduledMs).toBe(r.sentMs);
      expect(r.sentMs).toBeGreaterThanOrEqual(blockedAt - 50); // may have been on the wire as the gate closed
      expect(r.endMs).toBeGreaterThanOrEqual(stopMs); // its true duration so far, not zero, not dropped
    }
    // Nothing the app received is missing from the records, and nothing is invented.
    expect(records.length).toBe(app.receivedTotal());
    const series = buildSeries(records, { startMs: run.startMs, endMs: unfinished[0].endMs, stepAt: () => null });
    expect(series[series.length - 1].inFlight).toBe(4);
  });

  it('spreads connections over the rotation and drains a removed target without errors', async () => {
    const [a, b] = [await server(), await server()];
    const targets: LoadTarget[] = [
      { id: 'a', origin: a.origin },
      { id: 'b', origin: b.origin },
    ];
    const reads: RequestFactory = () => ({ route: 'read', method: 'GET', path: '/read/1' });
    const run = start({ connections: 4, factory: reads, balancer: { inRotation: () => targets }, seed: 2 });
    await sleep(300);
    const releasedB = b.block('*', 600);
    await sleep(200);
    expect(run.inFlightTo('b')).toBe(2);
    targets.splice(1, 1);
    const removedAt = now();
    const drainedAt = await run.whenDrained('b').then(() => now());
    const releasedAt = await releasedB;
    expect(drainedAt).toBeGreaterThanOrEqual(releasedAt);
    expect(run.inFlightTo('b')).toBe(0);

    // All 4 connections now go to a: block it and count them.
    void a.block('*', 400);
    await sleep(250);
    expect(run.inFlightTo('a')).toBe(4);
    const records = await run.stop();
    const toB = records.filter((r) => r.target === 'b');
    expect(toB.filter((r) => r.sentMs > removedAt)).toEqual([]);
    expect(toB.every((r) => r.outcome === 'ok' && r.endMs <= drainedAt)).toBe(true);
    expect(records.filter((r) => r.outcome !== 'ok' && r.outcome !== 'unfinished')).toEqual([]);
    expect(records.filter((r) => r.target === 'a' && r.outcome === 'unfinished')).toHaveLength(4);
  });

  it('reads the SQLSTATE of 5xx bodies', async () => {
    const app = await server();
    const fail: RequestFactory = () => ({ route: 'fail', method: 'POST', path: '/fail', body: {} });
    const run = start({ connections: 2, factory: fail, balancer: { inRotation: () => [{ id: 'a', origin: app.origin }] }, seed: 3 });
    await sleep(300);
    const records = await run.stop();
    const failed = records.filter((r) => r.outcome === 'non2xx');
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.every((r) => r.status === 503 && r.sqlstate === '55P03')).toBe(true);
    expect(errorsBySqlstate(records)).toEqual({ '55P03': failed.length });
  });

  it('records a timeout when a response takes longer than timeoutMs', async () => {
    const app = await server();
    void app.block('write', 5000);
    const writes: RequestFactory = () => ({ route: 'write', method: 'POST', path: '/write' });
    const run = start({ connections: 1, factory: writes, balancer: { inRotation: () => [{ id: 'a', origin: app.origin }] }, seed: 4, timeoutMs: 1000 });
    await sleep(1300);
    const records = await run.stop();
    const timeouts = records.filter((r) => r.outcome === 'timeout');
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0].endMs - timeouts[0].sentMs).toBeGreaterThanOrEqual(990);
    expect(timeouts[0].endMs - timeouts[0].sentMs).toBeLessThan(1200);
    // autocannon reconnects and sends the next one, which is still waiting at stop.
    expect(records.filter((r) => r.outcome === 'unfinished')).toHaveLength(1);
    expect(records.some((r) => r.outcome === 'error')).toBe(false);
  });

  it('records a request whose connection the app closed as an error, and keeps going', async () => {
    const app = await server();
    const mixed: RequestFactory = (rng) => (rng() < 0.3 ? { route: 'hangup', method: 'GET', path: '/hangup' } : { route: 'read', method: 'GET', path: '/read/1' });
    const run = start({ connections: 2, factory: mixed, balancer: { inRotation: () => [{ id: 'a', origin: app.origin }] }, seed: 5 });
    await sleep(400);
    const records = await run.stop();
    const hangups = records.filter((r) => r.route === 'hangup' && r.outcome !== 'unfinished');
    expect(hangups.length).toBeGreaterThan(5);
    expect(hangups.every((r) => r.outcome === 'error' && r.errorCode !== undefined)).toBe(true);
    expect(records.filter((r) => r.route === 'read' && r.outcome === 'ok').length).toBeGreaterThan(10);
    expect(records.filter((r) => r.route === 'read' && r.outcome === 'error')).toEqual([]);
    // Every request the app received is recorded; at most one per connection was still on the wire at stop.
    expect(records.length - app.receivedTotal()).toBeGreaterThanOrEqual(0);
    expect(records.length - app.receivedTotal()).toBeLessThanOrEqual(2);
  });
});
