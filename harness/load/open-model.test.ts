import { afterEach, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { buildSeries, driverQueueing, errorsBySqlstate, findStalls, summarizeTraffic } from '../model/traffic.ts';
import { startOpenLoad } from './open-model.ts';
import { startToyServer, type ToyServer } from './toy-server.ts';
import type { Balancer, LoadRun, LoadTarget, LoadTick, RequestFactory } from './types.ts';

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
const start = (...args: Parameters<typeof startOpenLoad>) => {
  const run = startOpenLoad(...args);
  runs.push(run);
  return run;
};
const rotation = (targets: LoadTarget[]): Balancer => ({ inRotation: () => targets });
const readWrite: RequestFactory = (rng) =>
  rng() < 0.5
    ? { route: 'read', method: 'GET', path: `/read/${Math.floor(rng() * 1000)}` }
    : { route: 'write', method: 'POST', path: '/write', body: { n: Math.floor(rng() * 1000) } };

describe('open model', () => {
  it('keeps scheduling through a 1.5 s block of one route and measures the stall from scheduled starts', async () => {
    const app = await server();
    // 60 writes/s pile up ~90 blocked writes: below the pool's 128 connections, so reads never queue behind them.
    const run = start({ rate: 120, factory: readWrite, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 1, timeoutMs: 10_000 });
    await sleep(600);
    const blockedAt = now();
    const releasedAt = await app.block('write', 1500);
    await sleep(500);
    const stopMs = now();
    const records = await run.stop();

    // Users kept arriving on schedule and were sent while writes were blocked: no arrival waited for
    // a response (a closed loop would have sent nothing once its connections hung on writes).
    const duringBlock = records.filter((r) => r.scheduledMs >= blockedAt && r.scheduledMs < releasedAt);
    expect(duringBlock.length).toBeGreaterThanOrEqual(Math.floor(((releasedAt - blockedAt) / 1000) * 120) - 1);
    const sentDuringBlock = duringBlock.filter((r) => r.sentMs < releasedAt);
    expect(sentDuringBlock.length / duringBlock.length).toBeGreaterThan(0.9);
    expect(Math.max(...duringBlock.map((r) => r.sentMs - r.scheduledMs))).toBeLessThan(500); // late only by CPU contention

    // Reads kept completing during the block, so only the write route stalled.
    const readsDone = records.filter((r) => r.route === 'read' && r.outcome === 'ok' && r.endMs > blockedAt + 100 && r.endMs < releasedAt - 100);
    expect(readsDone.length).toBeGreaterThan(40);
    const stalls = findStalls(records, { endMs: stopMs });
    expect(stalls.filter((s) => s.route === 'read')).toEqual([]);
    const writeStall = stalls.find((s) => s.route === 'write');
    expect(writeStall).toBeDefined();
    expect(writeStall!.durationMs).toBeGreaterThan(1500 * 0.8);
    expect(writeStall!.durationMs).toBeLessThan(1500 * 1.2);
    expect(writeStall!.startMs).toBeGreaterThanOrEqual(blockedAt - 50);

    // Each blocked write's latency is its time since *scheduled* start until the release.
    const blocked = records.filter((r) => r.route === 'write' && r.scheduledMs > blockedAt + 20 && r.scheduledMs < releasedAt - 50);
    expect(blocked.length).toBeGreaterThan(60);
    for (const r of blocked) {
      expect(r.outcome).toBe('ok');
      expect(r.endMs - r.scheduledMs).toBeGreaterThanOrEqual(releasedAt - r.scheduledMs);
      expect(r.endMs - r.scheduledMs).toBeLessThan(releasedAt - r.scheduledMs + 150);
    }
    const first = blocked.reduce((a, b) => (a.scheduledMs < b.scheduledMs ? a : b));
    expect(first.endMs - first.scheduledMs).toBeGreaterThan(1500 * 0.8);

    // The timeline shows the stall while it happens, not only when it ends.
    const series = buildSeries(records, { startMs: run.startMs, endMs: stopMs, stepAt: () => null });
    const beforeRelease = series.filter((p) => run.startMs + (p.t + 1) * 1000 < releasedAt - 100);
    expect(Math.max(...beforeRelease.map((p) => p.oldestInFlightMs))).toBeGreaterThan(400);
    expect(Math.max(...series.map((p) => p.maxMs ?? 0))).toBeGreaterThan(1500 * 0.8);
    expect(records.every((r) => r.outcome === 'ok' || r.outcome === 'unfinished')).toBe(true);
    expect(driverQueueing(records)).toBe(0); // the latencies above are the app's, not our pool's
  });

  it('counts arrivals due while the event loop was blocked as late, measures them from their schedule, and shows the block as a stall', async () => {
    const app = await server(); // in this process: it cannot answer during the block either
    const reads: RequestFactory = (rng) => ({ route: 'read', method: 'GET', path: `/read/${Math.floor(rng() * 1000)}` });
    const rate = 200; // one arrival every 5 ms
    const run = start({ rate, factory: reads, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 11 });
    await sleep(700);
    // Block at a moment when nothing is in flight, so only arrivals due during the block can show it.
    const deadline = now() + 2000;
    while (run.inFlight() > 0 && now() < deadline) await new Promise((r) => setImmediate(r));
    expect(run.inFlight()).toBe(0);
    const blockedAt = now();
    while (now() - blockedAt < 500) {
      // busy work: no timer, no socket, no dispatch can run in this process until it ends
    }
    const unblockedAt = now();
    await sleep(700);
    const stopMs = now();
    const records = await run.stop();
    const blockMs = unblockedAt - blockedAt;

    // Every arrival due during the block is in the records (none skipped), on its original schedule.
    const due = records.filter((r) => r.scheduledMs >= blockedAt && r.scheduledMs < unblockedAt);
    expect(Math.abs(due.length - blockMs / (1000 / rate))).toBeLessThanOrEqual(1);
    for (const r of due) {
      expect(r.outcome).toBe('ok');
      expect(r.sentMs).toBeGreaterThanOrEqual(unblockedAt); // nothing could be sent during the block
      // Latency includes the whole delay, measured from the scheduled start, not from the send.
      expect(r.endMs - r.scheduledMs).toBeGreaterThanOrEqual(unblockedAt - r.scheduledMs);
      expect(r.endMs - r.scheduledMs).toBeLessThan(unblockedAt - r.scheduledMs + 500);
    }
    const first = due.reduce((a, b) => (a.scheduledMs < b.scheduledMs ? a : b));
    expect(first.endMs - first.scheduledMs).toBeGreaterThanOrEqual(blockMs - 5);
    expect(first.endMs - first.scheduledMs).toBeLessThan(blockMs + 500);

    // The late arrivals are counted as late: in the records, the timeline and the summary's latency.
    const series = buildSeries(records, { startMs: run.startMs, endMs: stopMs, stepAt: () => null });
    const late = records.filter((r) => r.sentMs - r.scheduledMs > 50);
    expect(series.reduce((n, p) => n + p.lateStarts, 0)).toBe(late.length);
    const surelyLate = due.filter((r) => unblockedAt - r.scheduledMs > 50);
    expect(surelyLate.length).toBeGreaterThanOrEqual(Math.floor((blockMs - 50) / (1000 / rate)) - 1);
    expect(surelyLate.every((r) => late.includes(r))).toBe(true);
    const worst = summarizeTraffic(records, -Infinity, Infinity).maxMs!;
    expect(worst).toBeGreaterThanOrEqual(blockMs - 5);
    expect(worst).toBeLessThan(blockMs + 500);

    // A stall window covers the block: users were waiting from their arrival, and none was answered.
    const stall = findStalls(records, { endMs: stopMs }).find((s) => s.startMs <= blockedAt + 1000 / rate && s.endMs >= unblockedAt);
    expect(stall).toBeDefined();
    expect(stall!.durationMs).toBeGreaterThanOrEqual(blockMs - 1000 / rate);
    expect(stall!.durationMs).toBeLessThan(blockMs + 500);
  });

  it('records a request still blocked at stop() as unfinished with its true duration', async () => {
    const app = await server();
    void app.block('write', 10_000);
    const run = start({ rate: 50, factory: readWrite, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 2 });
    const ticks: LoadTick[] = [];
    run.on('tick', (t) => ticks.push(t));
    await sleep(1200);
    expect(run.inFlight()).toBeGreaterThan(0);
    expect(run.oldestInFlightMs()).toBeGreaterThan(900);
    const stopMs = now();
    const records = await run.stop();
    const stoppedAt = now();

    const unfinished = records.filter((r) => r.outcome === 'unfinished');
    const writes = records.filter((r) => r.route === 'write');
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.every((r) => r.outcome === 'unfinished')).toBe(true); // never dropped, never an error
    for (const r of unfinished) {
      expect(r.endMs).toBeGreaterThanOrEqual(stopMs);
      expect(r.endMs).toBeLessThanOrEqual(stoppedAt);
    }
    const oldest = unfinished.reduce((a, b) => (a.scheduledMs < b.scheduledMs ? a : b));
    expect(oldest.endMs - oldest.scheduledMs).toBeGreaterThan(1000);
    // Every request the app received is in the records (one sent just before stop may not have arrived).
    expect(records.length).toBeGreaterThanOrEqual(app.receivedTotal());

    const series = buildSeries(records, { startMs: run.startMs, endMs: oldest.endMs, stepAt: () => 'step' });
    const last = series[series.length - 1];
    expect(last.inFlight).toBe(unfinished.length);
    expect(Math.abs(last.oldestInFlightMs - (oldest.endMs - oldest.scheduledMs))).toBeLessThanOrEqual(1);
    expect(summarizeTraffic(records, run.startMs, oldest.endMs).unfinished).toBe(unfinished.length);

    expect(ticks.length).toBeGreaterThanOrEqual(1);
    expect(ticks[0].inFlight).toBeGreaterThan(0);
    expect(ticks[0].oldestInFlightMs).toBeGreaterThan(800);
    expect(ticks[0].completed).toBeGreaterThan(0);
  });

  it('round-robins across targets and drains a removed target without errors', async () => {
    const [a, b] = [await server(), await server()];
    const targets: LoadTarget[] = [
      { id: 'a', origin: a.origin },
      { id: 'b', origin: b.origin },
    ];
    const run = start({ rate: 100, factory: readWrite, balancer: { inRotation: () => targets }, seed: 3 });
    await sleep(500);
    const sorted = [...run.records()].sort((x, y) => x.scheduledMs - y.scheduledMs);
    expect(sorted.length).toBeGreaterThan(20);
    sorted.forEach((r, i) => expect(r.target).toBe(sorted[0].target === 'a' ? (i % 2 ? 'b' : 'a') : i % 2 ? 'a' : 'b'));

    const releasedB = b.block('*', 800);
    await sleep(300);
    expect(run.inFlightTo('b')).toBeGreaterThan(5);
    targets.splice(1, 1); // take b out of rotation, like a rolling deploy
    const removedAt = now();
    const drainedAt = await run.whenDrained('b').then(() => now());
    const releasedAt = await releasedB;
    expect(drainedAt).toBeGreaterThanOrEqual(releasedAt);
    expect(run.inFlightTo('b')).toBe(0);
    await sleep(300);
    const records = await run.stop();

    const toB = records.filter((r) => r.target === 'b');
    expect(toB.every((r) => r.endMs <= drainedAt)).toBe(true);
    expect(toB.some((r) => r.endMs >= releasedAt)).toBe(true);
    expect(toB.every((r) => r.sentMs <= removedAt + 15)).toBe(true); // nothing new after removal (one loop tick)
    // No error from the removal; only requests to a still running at stop() are unfinished.
    expect(records.filter((r) => r.outcome !== 'ok' && (r.outcome !== 'unfinished' || r.target !== 'a'))).toEqual([]);
    expect(records.filter((r) => r.target === 'a' && r.scheduledMs > removedAt + 15).length).toBeGreaterThan(30);
    // b's pool was closed once drained: the app sees no connection from us any more.
    expect(await b.openConnections()).toBe(0);
  });

  it('times out a request that takes longer than timeoutMs and aborts it', async () => {
    const app = await server();
    void app.block('write', 3000);
    const run = start({ rate: 40, factory: readWrite, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 4, timeoutMs: 300 });
    await sleep(900);
    // The timed-out requests were really aborted, not left running against the app.
    const timedOutSoFar = run.records().filter((r) => r.outcome === 'timeout').length;
    await sleep(20);
    expect(app.abandoned()).toBeGreaterThanOrEqual(timedOutSoFar);
    const records = await run.stop();
    const timeouts = records.filter((r) => r.outcome === 'timeout');
    expect(timeouts.length).toBeGreaterThan(3);
    for (const r of timeouts) {
      expect(r.route).toBe('write');
      expect(r.endMs - r.sentMs).toBeGreaterThanOrEqual(300);
      expect(r.endMs - r.sentMs).toBeLessThan(450);
    }
    expect(records.some((r) => r.outcome === 'error')).toBe(false);
    expect(summarizeTraffic(records, -Infinity, Infinity).timeouts).toBe(timeouts.length);
  });

  it('counts 5xx responses by the SQLSTATE in their body', async () => {
    const app = await server();
    const factory: RequestFactory = (rng) =>
      rng() < 0.5 ? { route: 'fail', method: 'POST', path: '/fail', body: {} } : { route: 'boom', method: 'GET', path: '/boom' };
    const run = start({ rate: 100, factory, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 5 });
    await sleep(500);
    const records = await run.stop();
    const fails = records.filter((r) => r.route === 'fail' && r.outcome === 'non2xx');
    const booms = records.filter((r) => r.route === 'boom' && r.outcome === 'non2xx');
    expect(fails.length).toBeGreaterThan(5);
    expect(booms.length).toBeGreaterThan(5);
    expect(fails.every((r) => r.status === 503 && r.sqlstate === '55P03')).toBe(true);
    expect(booms.every((r) => r.status === 500 && r.sqlstate === undefined)).toBe(true);
    expect(errorsBySqlstate(records)).toEqual({ '55P03': fails.length });
    expect(summarizeTraffic(records, -Infinity, Infinity).non2xx).toBe(fails.length + booms.length);
  });

  it('records a request whose connection the app closed as an error with its code', async () => {
    const app = await server();
    const factory: RequestFactory = (rng) => (rng() < 0.3 ? { route: 'hangup', method: 'GET', path: '/hangup' } : { route: 'read', method: 'GET', path: '/read/1' });
    const run = start({ rate: 100, factory, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 8 });
    await sleep(400);
    const records = await run.stop();
    const hangups = records.filter((r) => r.route === 'hangup' && r.outcome !== 'unfinished');
    expect(hangups.length).toBeGreaterThan(5);
    expect(hangups.every((r) => r.outcome === 'error' && r.errorCode === 'UND_ERR_SOCKET')).toBe(true);
    expect(records.filter((r) => r.route === 'read' && r.outcome !== 'ok' && r.outcome !== 'unfinished')).toEqual([]);
  });

  it('shows time queued inside the driver when all its connections to a target are busy', async () => {
    const app = await server();
    void app.block('write', 3000);
    const run = start({ rate: 50, factory: readWrite, balancer: rotation([{ id: 'a', origin: app.origin }]), seed: 7, connectionsPerTarget: 2 });
    const ticks: LoadTick[] = [];
    run.on('tick', (t) => ticks.push(t));
    await sleep(1100);
    const records = await run.stop();
    // Two blocked writes hold both connections: later reads wait in our pool, and the records say so.
    const queuedReads = records.filter((r) => r.route === 'read' && r.outcome === 'unfinished' && r.wireMs === null);
    expect(queuedReads.length).toBeGreaterThan(3);
    expect(records.filter((r) => typeof r.wireMs === 'number' && r.outcome === 'unfinished')).toHaveLength(2);
    expect(driverQueueing(records)).toBeGreaterThan(3);
    expect(ticks[0].clientQueued).toBeGreaterThan(3);
  });

  it('drops arrivals when no target is in rotation or maxInFlight is reached, and counts them', async () => {
    const app = await server();
    void app.block('write', 3000);
    const targets: LoadTarget[] = [];
    const writes: RequestFactory = () => ({ route: 'write', method: 'POST', path: '/write' });
    const run = start({ rate: 100, factory: writes, balancer: { inRotation: () => targets }, seed: 6, maxInFlight: 5 });
    await sleep(200);
    targets.push({ id: 'a', origin: app.origin });
    await sleep(300);
    expect(run.inFlight()).toBe(5);
    const records = await run.stop();
    const dropped = records.filter((r) => r.outcome === 'dropped');
    expect(dropped.every((r) => r.target === null)).toBe(true);
    expect(records.filter((r) => r.outcome === 'unfinished').length).toBe(5);
    expect(dropped.length).toBe(records.length - 5);
    const s = summarizeTraffic(records, -Infinity, Infinity);
    expect(s.dropped).toBe(dropped.length);
    expect(s.errorRate).toBe(dropped.length / records.length); // unfinished ones count in latency, not as errors
  });
});
