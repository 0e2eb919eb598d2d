// Fault: a connection storm. Extra clients hammer the app with its own request mix for a while
// (a retry storm, a traffic spike after an outage), many more at once than the app's pg pools
// hold, so requests queue for a pool connection. Its requests are the fault's, not the measured
// traffic: the measured load shows what the storm did to everyone else.
import { now } from '../../clock.ts';
import { startClosedLoad } from '../../load/closed-model.ts';
import { errorsBySqlstate, summarizeTraffic } from '../../model/traffic.ts';
import type { ConnectionStormFault } from '../../scenario.ts';
import { sleepUnlessAborted } from '../fault-schedule.ts';
import type { FaultKind } from './fault-kinds.ts';

export const connectionStorm: FaultKind<ConnectionStormFault> = {
  fault: 'connection-storm',
  validate(f) {
    const out: string[] = [];
    if (f.connections !== undefined && !(Number.isInteger(f.connections) && f.connections >= 1 && f.connections <= 10_000)) out.push('connections must be an integer from 1 to 10000');
    if (f.durationMs !== undefined && !(typeof f.durationMs === 'number' && f.durationMs > 0)) out.push('durationMs must be a number > 0');
    return out;
  },
  async fire(f, ctx, signal, tookEffect) {
    if (!ctx.requestFactory) throw new Error('this run has no app traffic to storm with');
    const connections = f.connections ?? 200;
    const durationMs = f.durationMs ?? 2000;
    const atT = now();
    const run = startClosedLoad({ connections, factory: ctx.requestFactory, balancer: ctx.fleet, timeoutMs: 10_000, seed: 0x5707 });
    tookEffect();
    await sleepUnlessAborted(durationMs, signal);
    const records = await run.stop();
    const endT = now();
    const s = summarizeTraffic(records, -Infinity, Infinity);
    const maxPoolWaiting = ctx.fleet.peakPoolWaiting(atT, endT);
    const errors = s.non2xx + s.errors + s.timeouts;
    return {
      label: `connection storm: ${connections} extra connections for ${Math.round(endT - atT)} ms, ${s.requests} requests (${errors} failed), up to ${maxPoolWaiting} waiting for a pool connection`,
      atT, endT,
      details: { connections, durationMs, requests: s.requests, completed: s.completed, errors, errorsBySqlstate: errorsBySqlstate(records), p99Ms: s.p99Ms, maxPoolWaiting },
    };
  },
};
