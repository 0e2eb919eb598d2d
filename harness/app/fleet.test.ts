// Rolling deploys: a new instance joins rotation before an old one leaves; the old one leaves
// rotation, is drained (nothing in flight to it) and only then stopped. A deliberately slow request
// is in flight to the old instance, so a fleet that skipped the drain would stop it too early.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { startOpenLoad } from '../load/open-model.ts';
import type { LoadRun, RequestFactory } from '../load/types.ts';
import { AppFleet, type DeployEvent } from './fleet.ts';
import { DEFAULT_APP_SETTINGS, type AppUnderTest } from './types.ts';

const SLEEPY = fileURLToPath(new URL('../testing/sleepy-instance.ts', import.meta.url));
const SLOW_MS = 1500;
const slow: RequestFactory = () => ({ route: 'slow', method: 'GET', path: `/sleep/${SLOW_MS}` });
const sleepyApp: AppUnderTest = {
  mix: { slow: 1 },
  instanceCommand: () => ({ entry: SLEEPY, args: [] }),
  requestFactory: async () => slow,
};

let fleet: AppFleet | undefined;
let load: LoadRun | undefined;
afterEach(async () => {
  await load?.stop();
  await fleet?.stop();
  fleet = load = undefined;
});

describe('rolling deploy', () => {
  it('should take the old instance out of rotation, wait for its slow request to finish, and only then stop it', async () => {
    // The database is never used by this app: the pool connects lazily.
    fleet = new AppFleet({ app: sleepyApp, databaseUrl: 'postgres://127.0.0.1:1/unused', instances: 1, settings: DEFAULT_APP_SETTINGS });
    await fleet.start('v1');
    const [old] = fleet.inRotation();
    load = startOpenLoad({ rate: 10, factory: slow, balancer: fleet, seed: 1, timeoutMs: 10_000 });
    const running = load;
    fleet.setDrainer((id) => running.whenDrained(id));
    await sleep(300);
    expect(load.inFlightTo(old!.id)).toBeGreaterThan(0);

    const events: DeployEvent[] = [];
    const deployStart = now();
    await fleet.rollingDeploy('v2', (e) => events.push(e));
    const records = await load.stop({ graceMs: SLOW_MS * 2 });
    load = undefined;

    const at = (instance: string, action: DeployEvent['action']) => events.find((e) => e.instance === instance && e.action === action)!.t;
    const fresh = events.find((e) => e.action === 'started')!.instance;
    expect(fresh).not.toBe(old!.id);
    expect(events.map((e) => [e.instance, e.action])).toEqual([
      [fresh, 'started'],
      [fresh, 'in-rotation'],
      [old!.id, 'out-of-rotation'],
      [old!.id, 'drained'],
      [old!.id, 'stopped'],
    ]);
    const outAt = at(old!.id, 'out-of-rotation');
    const drainedAt = at(old!.id, 'drained');
    const stoppedAt = at(old!.id, 'stopped');
    expect(at(fresh, 'in-rotation')).toBeLessThanOrEqual(outAt); // never a moment without an instance

    const toOld = records.filter((r) => r.target === old!.id);
    // A slow request was in flight to the old instance when it left rotation…
    const inFlightAtOut = toOld.filter((r) => r.sentMs < outAt && r.endMs > outAt);
    expect(inFlightAtOut.length).toBeGreaterThan(0);
    expect(Math.max(...inFlightAtOut.map((r) => r.endMs)) - outAt).toBeGreaterThan(SLOW_MS / 3);
    // …and the drain waited for it: the old instance was drained only after its last response,
    // and stopped only after that. A fleet that skipped the drain fails here.
    const lastEnd = Math.max(...toOld.map((r) => r.endMs));
    expect(drainedAt).toBeGreaterThanOrEqual(lastEnd);
    expect(drainedAt - lastEnd).toBeLessThan(500);
    expect(stoppedAt).toBeGreaterThanOrEqual(drainedAt);
    // Nothing was sent to it after it left rotation, and every request to it was answered.
    expect(toOld.filter((r) => r.sentMs > outAt + 15)).toEqual([]);
    expect(toOld.every((r) => r.outcome === 'ok' && r.status === 200)).toBe(true);
    // The new instance took over the traffic.
    expect(records.filter((r) => r.target === fresh && r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(records.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(fleet.versions()).toEqual(['v2']);
    expect(stoppedAt - deployStart).toBeLessThan(30_000);
  });
});
