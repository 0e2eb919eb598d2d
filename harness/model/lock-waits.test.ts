// Root blockers: the session at the end of each waiter's chain that is not itself waiting.
import { describe, expect, it } from 'vitest';
import { lockWaitEvents, rootsOf } from './lock-waits.ts';
import type { LockSample } from './records.ts';

const activity = (pid: number, application: string, state: string, waiting = false) => ({ pid, application, state, xactAgeMs: 1500, query: `q${pid}`, waiting });
// pid 30 (an app query) waits on 20 (an ALTER) which waits on 10 (a report query, not waiting).
const sample = (t: number): LockSample => ({
  t,
  waiters: [
    { pid: 20, application: 'rehearse-migration', mode: 'AccessExclusiveLock', relation: 'users', blockers: [10], waitingMs: 100, query: 'ALTER TABLE users …' },
    { pid: 30, application: 'rehearse-app/app-1/old', mode: 'AccessShareLock', relation: 'users', blockers: [20], waitingMs: 50, query: 'SELECT …' },
  ],
  blockers: [activity(10, 'rehearse-background/report', 'active'), activity(20, 'rehearse-migration', 'active', true)],
});

describe('root blockers', () => {
  it('should follow a waiter through waiting blockers to the session that waits on nothing', () => {
    const roots = rootsOf(sample(0));
    expect(roots.get(30)!.map((r) => r.application)).toEqual(['rehearse-background/report']);
    expect(roots.get(20)!.map((r) => r.pid)).toEqual([10]);
  });

  it('should find no root in a cycle (a deadlock about to be broken)', () => {
    const s: LockSample = { t: 0, waiters: [
      { pid: 1, application: 'a', mode: 'ShareLock', relation: 't', blockers: [2], waitingMs: 1, query: '' },
      { pid: 2, application: 'b', mode: 'ShareLock', relation: 't', blockers: [1], waitingMs: 1, query: '' },
    ], blockers: [] };
    expect(rootsOf(s).get(1)).toEqual([]);
  });

  it('should put the root seen in most samples of a wait first, with the blockers\' application names', () => {
    const late: LockSample = { ...sample(300), waiters: [{ ...sample(0).waiters[1]!, blockers: [20] }], blockers: [activity(20, 'rehearse-migration', 'active')] };
    const [, app] = lockWaitEvents({ runStartMs: 0, runEndMs: 1000, lockSamples: [sample(100), sample(200), late], clock: { steps: [], statements: [] } });
    expect(app!.rootBlockers!.map((r) => [r.application, r.samples])).toEqual([['rehearse-background/report', 2], ['rehearse-migration', 1]]);
    expect(app!.blockedBy).toEqual([{ pid: 20, application: 'rehearse-migration' }]);
  });

  it('should keep a root\'s last known activity when a sample caught its session ending', () => {
    // At 300 ms the report query's session is gone from pg_stat_activity, though the waiters still name it.
    const ending: LockSample = { ...sample(300), blockers: [activity(20, 'rehearse-migration', 'active', true)] };
    const [, app] = lockWaitEvents({ runStartMs: 0, runEndMs: 1000, lockSamples: [sample(100), sample(200), ending], clock: { steps: [], statements: [] } });
    expect(app!.rootBlockers).toEqual([{ ...activity(10, 'rehearse-background/report', 'active'), samples: 3 }]);
  });

  it('should keep a root\'s last activity while it blocked when a sample caught it idle after its COMMIT', () => {
    // pg_blocking_pids still named pid 10 when the waiters were read; by the activity read it had committed.
    const committed: LockSample = { ...sample(300), blockers: [{ ...activity(10, 'rehearse-background/report', 'idle'), xactAgeMs: null, query: 'COMMIT' }, activity(20, 'rehearse-migration', 'active', true)] };
    const [, app] = lockWaitEvents({ runStartMs: 0, runEndMs: 1000, lockSamples: [sample(100), sample(200), committed], clock: { steps: [], statements: [] } });
    expect(app!.rootBlockers).toEqual([{ ...activity(10, 'rehearse-background/report', 'active'), samples: 3 }]);
  });
});
