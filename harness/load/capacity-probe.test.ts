import { afterEach, describe, expect, it } from 'vitest';
import { now } from '../clock.ts';
import { RehearseError } from '../errors.ts';
import { probeCapacity } from './capacity-probe.ts';
import { startToyServer, type ToyServer } from './toy-server.ts';
import type { RequestFactory } from './types.ts';

const servers: ToyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const server = async () => {
  const s = await startToyServer();
  servers.push(s);
  return s;
};
const route = (name: string): RequestFactory => () => ({ route: name, method: 'GET', path: `/${name}` });

describe('capacity probe', () => {
  it('measures the 2xx rate the servers themselves counted, across the instances in rotation', async () => {
    const [a, b] = [await server(), await server()];
    const balancer = { inRotation: () => [{ id: 'a', origin: a.origin }, { id: 'b', origin: b.origin }] };
    const connections = 4;
    const durationMs = 1000;
    const t0 = now();
    const result = await probeCapacity({ balancer, factory: route('read'), durationMs, connections });
    const elapsedMs = now() - t0;
    const served = a.served() + b.served(); // counted by the servers, not by the load driver
    expect(a.served()).toBeGreaterThan(0);
    expect(b.served()).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    // The probe's window lies within [durationMs, elapsedMs]; every 2xx it counted was served, and at
    // most one per connection was served but not yet received when it stopped.
    expect(result.rps).toBeLessThanOrEqual(served / (durationMs / 1000));
    expect(result.rps).toBeGreaterThanOrEqual((served - connections) / (elapsedMs / 1000));
    expect(elapsedMs).toBeLessThan(durationMs * 1.5); // else the bounds above are too loose to mean much
    expect(result.p99Ms).toBeGreaterThan(0);
    expect(result.p99Ms).toBeLessThan(durationMs);
  });

  it('counts only 2xx responses as capacity', async () => {
    const app = await server();
    let n = 0;
    const half: RequestFactory = () => (n++ % 2 ? { route: 'read', method: 'GET', path: '/read' } : { route: 'fail', method: 'POST', path: '/fail', body: {} });
    const t0 = now();
    const result = await probeCapacity({ balancer: { inRotation: () => [{ id: 'a', origin: app.origin }] }, factory: half, durationMs: 600, connections: 2 });
    const elapsedMs = now() - t0;
    const served = app.served();
    const failed = app.received.get('fail') ?? 0;
    expect(failed).toBeGreaterThan(10);
    expect(result.rps).toBeLessThanOrEqual(served / 0.6);
    expect(result.rps).toBeGreaterThanOrEqual((served - 2) / (elapsedMs / 1000));
    expect(result.errors).toBeGreaterThanOrEqual(failed - 2);
    expect(result.errors).toBeLessThanOrEqual(failed);
  });

  it('fails with REH_LOAD_NO_CAPACITY when nothing succeeds', async () => {
    const app = await server();
    const balancer = { inRotation: () => [{ id: 'a', origin: app.origin }] };
    const err = await probeCapacity({ balancer, factory: route('boom'), durationMs: 300, connections: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect((err as RehearseError).code).toBe('REH_LOAD_NO_CAPACITY');
    expect(app.receivedTotal()).toBeGreaterThan(0);
  });

  it('fails with REH_LOAD_NO_CAPACITY when no instance is in rotation', async () => {
    const err = await probeCapacity({ balancer: { inRotation: () => [] }, factory: route('read'), durationMs: 300 }).catch((e: unknown) => e);
    expect((err as RehearseError).code).toBe('REH_LOAD_NO_CAPACITY');
  });
});
