import { afterEach, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { startOpenLoad } from '../load/open-model.ts';
import { startToyServer, type ToyServer } from '../load/toy-server.ts';
import type { LoadRun, LoadTarget } from '../load/types.ts';
import type { RequestRecord } from '../model/records.ts';
import { Rotation, SLOW_START_MIN_WEIGHT, slowStartWeight } from './rotation.ts';

describe('slow start weights', () => {
  it('should ramp linearly from Envoy\'s 10 % floor to a full share', () => {
    expect(slowStartWeight(0, 10_000)).toBe(SLOW_START_MIN_WEIGHT);
    expect(slowStartWeight(5000, 10_000)).toBe(0.5);
    expect(slowStartWeight(10_000, 10_000)).toBe(1);
    expect(slowStartWeight(0, 0)).toBe(1); // off
  });

  it('should ramp only instances that join a running service, not the initial fleet', () => {
    let t = 0;
    const r = new Rotation<LoadTarget>(4000, () => t);
    r.add({ id: 'a', origin: 'http://a' }, { warm: true });
    r.add({ id: 'b', origin: 'http://b' }, { warm: false });
    t = 2000;
    expect(r.inRotation().map((x) => x.weight)).toEqual([1, 0.5]);
    r.remove(r.list()[0]!);
    expect(r.inRotation()).toEqual([{ id: 'b', origin: 'http://b', weight: 0.5 }]);
  });

  it('should hand out the instances themselves when slow start is off', () => {
    const r = new Rotation<LoadTarget>(0);
    const a = { id: 'a', origin: 'http://a' };
    r.add(a, { warm: false });
    expect(r.inRotation()[0]).toBe(a);
  });
});

describe('a new instance under open-model load', () => {
  const servers: ToyServer[] = [];
  const runs: LoadRun[] = [];
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((r) => r.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const RATE = 200;
  const RAMP_MS = 4000;

  /** Joins `b` to a rotation serving `a` after 1 s of load; returns records and when b joined. */
  const joinUnderLoad = async (slowStartMs: number): Promise<{ records: RequestRecord[]; joinedAt: number }> => {
    const [a, b] = await Promise.all([startToyServer(), startToyServer()]);
    servers.push(a, b);
    const rotation = new Rotation<LoadTarget>(slowStartMs);
    rotation.add({ id: 'a', origin: a.origin }, { warm: true });
    const run = startOpenLoad({ rate: RATE, factory: () => ({ route: 'r', method: 'GET', path: '/r' }), balancer: rotation, seed: 1 });
    runs.push(run);
    await sleep(1000);
    const joinedAt = now();
    rotation.add({ id: 'b', origin: b.origin }, { warm: false });
    await sleep(RAMP_MS + 1200);
    return { records: await run.stop({ graceMs: 1000 }), joinedAt };
  };

  /** b's share of the requests scheduled in each whole second after it joined. */
  const sharePerSecond = (records: RequestRecord[], joinedAt: number, seconds: number): number[] =>
    Array.from({ length: seconds }, (_, k) => {
      const inSecond = records.filter((r) => r.scheduledMs >= joinedAt + k * 1000 && r.scheduledMs < joinedAt + (k + 1) * 1000);
      return inSecond.filter((r) => r.target === 'b').length / inSecond.length;
    });

  /** The share a weight ramp gives b next to a full-weight a, averaged over second k. */
  const expectedShare = (k: number): number => {
    let sum = 0;
    for (let i = 0; i < 1000; i++) {
      const w = slowStartWeight(k * 1000 + i + 0.5, RAMP_MS);
      sum += w / (1 + w);
    }
    return sum / 1000;
  };

  it('should ramp the new instance\'s share of requests second by second', async () => {
    const { records, joinedAt } = await joinUnderLoad(RAMP_MS);
    const shares = sharePerSecond(records, joinedAt, 5);
    const expected = shares.map((_, k) => expectedShare(k));
    // One run here: measured 0.130, 0.270, 0.385, 0.465, 0.500 for expected 0.125, 0.271, 0.383, 0.466, 0.500.
    for (let k = 0; k < shares.length; k++) expect(Math.abs(shares[k]! - expected[k]!), `second ${k}: ${shares.map((s) => s.toFixed(2)).join(', ')}`).toBeLessThan(0.06);
    for (let k = 1; k < shares.length; k++) expect(shares[k]!).toBeGreaterThan(shares[k - 1]!);
    expect(shares[0]!).toBeLessThan(0.2);
    expect(shares[4]!).toBeCloseTo(0.5, 1);
  });

  it('should give the new instance half of the requests from its first second without slow start', async () => {
    const { records, joinedAt } = await joinUnderLoad(0);
    const shares = sharePerSecond(records, joinedAt, 3);
    for (const s of shares) expect(s).toBeCloseTo(0.5, 1);
  });
});
