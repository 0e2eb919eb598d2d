// The cause breakdown on hand-built records, every value worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { LockWaitIndex, requestCause, routeCauses, StallExplainer } from './causes.ts';
import { lockWaitEvents } from './lock-waits.ts';
import type { LockSample, RequestRecord } from './records.ts';
import { StepClock } from './windows.ts';

// A write's backend (pid 501) waits on users from t=1050 and is sampled every 100 ms until 1500;
// the migration (pid 900) holds the lock, idle in transaction.
const samples: LockSample[] = [1100, 1200, 1300, 1400, 1500].map((t) => ({
  t,
  waiters: [{ pid: 501, application: 'rehearse-app/a/v1', mode: 'RowExclusiveLock', relation: 'users', blockers: [900], waitingMs: t - 1050, query: 'UPDATE users …' }],
  blockers: [{ pid: 900, application: 'rehearse-migration', state: 'idle in transaction', xactAgeMs: t - 1000, query: 'LOCK TABLE users IN SHARE MODE', waiting: false }],
}));

const rec = (route: string, scheduledMs: number, endMs: number, timing?: { poolMs: number; dbMs: number; backendPid?: number }): RequestRecord =>
  ({ route, target: 'a', scheduledMs, sentMs: scheduledMs, endMs, status: 200, outcome: 'ok', wireMs: scheduledMs, ...timing });

// write: latency 1620 − 1000 = 620; lock wait 1500 − 1050 = 450 (of db 600) → db 150; other 620 − 2 − 600 = 18.
const write = rec('write', 1000, 1620, { poolMs: 2, dbMs: 600, backendPid: 501 });
// read: waited 610 ms for the pool, then got pid 501 at 1620 (after its waits): latency 620, lock 0, db 3, other 620 − 610 − 3 = 7.
const read = rec('read', 1010, 1630, { poolMs: 610, dbMs: 3, backendPid: 501 });
// A read the app did not time (no Server-Timing): completed, not measured.
const untimed = rec('read', 2000, 2010);
const dropped: RequestRecord = { route: 'read', target: null, scheduledMs: 2100, sentMs: 2100, endMs: 2100, status: 0, outcome: 'dropped' };
const records = [write, read, untimed, dropped];

describe('latency causes', () => {
  const locks = new LockWaitIndex(samples);

  it('split one request: the lock wait seen by the sampler comes out of its query time', () => {
    expect(requestCause(write, locks)).toEqual({ latencyMs: 620, poolWaitMs: 2, lockWaitMs: 450, dbMs: 150, otherMs: 18 });
  });

  it('charge a backend\'s lock wait only to the request that held it, not to the one waiting in the pool for it', () => {
    expect(requestCause(read, locks)).toEqual({ latencyMs: 620, poolWaitMs: 610, lockWaitMs: 0, dbMs: 3, otherMs: 7 });
  });

  it('are not measured for a request without Server-Timing, and lock wait stays in query time without lock samples', () => {
    expect(requestCause(untimed, locks)).toBeNull();
    expect(requestCause(write, new LockWaitIndex([]))).toEqual({ latencyMs: 620, poolWaitMs: 2, lockWaitMs: null, dbMs: 600, otherMs: 18 });
  });

  it('sum per route over the measured requests, counting the unmeasured ones apart', () => {
    expect(routeCauses(records, locks)).toEqual([
      { route: 'write', completed: 1, measured: 1, latencyMs: 620, poolWaitMs: 2, lockWaitMs: 450, dbMs: 150, otherMs: 18 },
      { route: 'read', completed: 2, measured: 1, latencyMs: 620, poolWaitMs: 610, lockWaitMs: 0, dbMs: 3, otherMs: 7 },
    ]);
  });

  it('make a route\'s lock wait unattributable when one of its requests named no backend', () => {
    const noPid = rec('write', 3000, 3010, { poolMs: 1, dbMs: 5 });
    expect(routeCauses([write, noPid], locks)[0]).toMatchObject({ measured: 2, lockWaitMs: null, dbMs: 605 });
  });

  it('explain a stall by the request that waited through it, and the app lock waits that held the pool', () => {
    const clock = new StepClock();
    clock.steps.push({ name: 'hold', startMs: 1000, endMs: 2000 });
    // The LOCK statement ends at once; the wait overlaps the sleep that keeps its transaction open.
    clock.statements.push({ name: 'LOCK TABLE users IN SHARE MODE', startMs: 1000, endMs: 1010 }, { name: 'SELECT pg_sleep(0.9)', startMs: 1010, endMs: 1950 });
    const waits = lockWaitEvents({ runStartMs: 0, runEndMs: 3000, lockSamples: samples, clock });
    // The read window 1010–1630: `read` overlaps it all (620 ms); the untimed read not at all.
    expect(new StallExplainer(records, locks, waits, 0).explain({ route: 'read', startMs: 1010, endMs: 1630 })).toEqual({
      scheduledMs: 1010, latencyMs: 620, poolWaitMs: 610, lockWaitMs: 0, dbMs: 3, otherMs: 7,
      appLockWaits: [{
        route: 'write', mode: 'RowExclusiveLock', relation: 'users', step: 'hold', statement: 'SELECT pg_sleep(0.9)', sessions: 1,
        rootApplication: 'rehearse-migration', rootState: 'idle in transaction',
      }],
    });
  });

  it('leave a stall unexplained (null) when the request that waited through it was not measured', () => {
    expect(new StallExplainer(records, locks, [], 0).explain({ route: 'read', startMs: 1900, endMs: 2010 })).toBeNull();
  });
});
