import { afterEach, describe, expect, it } from 'vitest';
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
  it('measures a positive 2xx rate across the instances in rotation', async () => {
    const [a, b] = [await server(), await server()];
    const balancer = { inRotation: () => [{ id: 'a', origin: a.origin }, { id: 'b', origin: b.origin }] };
    const result = await probeCapacity({ balancer, factory: route('read'), durationMs: 600, connections: 4 });
    expect(result.rps).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(Number.isFinite(result.p99Ms)).toBe(true);
    expect(a.receivedTotal()).toBeGreaterThan(0);
    expect(b.receivedTotal()).toBeGreaterThan(0);
    // rps counts what the app actually served during the probe.
    expect(result.rps * 0.6).toBeLessThanOrEqual(a.receivedTotal() + b.receivedTotal());
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
