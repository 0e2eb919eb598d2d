// Latency causes in words: the biggest part first, who held the pool, and "not measured" said so.
import { describe, expect, it } from 'vitest';
import type { CauseBreakdown, Stall } from '../model/schema.ts';
import { routeCauseShares, stallCauseText } from './cause-text.ts';

const stall = (cause: Stall['cause']): Stall => ({ route: 'read-by-id', startMs: 3000, endMs: 6000, durationMs: 3000, step: 'hold', statement: 'SELECT pg_sleep(3)', ...(cause === undefined ? {} : { cause }) });

describe('stallCauseText', () => {
  it('leads with the pool wait and names the lock waits that held the pool, with their step and root', () => {
    const text = stallCauseText(stall({
      scheduledMs: 3000, latencyMs: 3004, poolWaitMs: 2990, lockWaitMs: 0, dbMs: 3, otherMs: 11,
      appLockWaits: [
        { route: 'update-balance', mode: 'RowExclusiveLock', relation: 'users', step: 'hold', statement: 'SELECT pg_sleep(3)', sessions: 3, rootApplication: 'rehearse-migration', rootState: 'idle in transaction' },
        { route: 'create-user', mode: 'RowExclusiveLock', relation: 'users', step: 'hold', statement: null, sessions: 1 },
      ],
    }));
    expect(text).toBe(
      'read-by-id stalled 3,000 ms: its longest-waiting request (3,004 ms) spent 2,990 ms waiting for a pool connection, 11 ms elsewhere (HTTP, app code, queueing), 3 ms in queries; ' +
        'the pool was held by 3 update-balance requests waiting for RowExclusiveLock on users (step hold; root: rehearse-migration, idle in transaction), ' +
        '1 create-user request waiting for RowExclusiveLock on users (step hold)',
    );
  });

  it('says when the lock wait is the cause, and when lock waits could not be attributed', () => {
    expect(stallCauseText(stall({ scheduledMs: 0, latencyMs: 2000, poolWaitMs: 1, lockWaitMs: 1900, dbMs: 90, otherMs: 9, appLockWaits: [] })))
      .toBe('read-by-id stalled 3,000 ms: its longest-waiting request (2,000 ms) spent 1,900 ms waiting on a lock, 90 ms in queries, 9 ms elsewhere (HTTP, app code, queueing), 1 ms waiting for a pool connection');
    expect(stallCauseText(stall({ scheduledMs: 0, latencyMs: 2000, poolWaitMs: 0, lockWaitMs: null, dbMs: 1990, otherMs: 10, appLockWaits: [] })))
      .toContain('1,990 ms in queries (lock waits not attributed, included)');
  });

  it('says "not measured" when the app sent no timing, and "not recorded" for an older report', () => {
    expect(stallCauseText(stall(null))).toMatch(/cause not measured/);
    expect(stallCauseText(stall(undefined))).toMatch(/cause not recorded/);
  });
});

describe('routeCauseShares', () => {
  const c: CauseBreakdown = { completed: 10, measured: 8, latencyMs: 1000, poolWaitMs: 600, lockWaitMs: 300, dbMs: 50, otherMs: 50 };
  it('gives each part\'s share and how many requests were measured', () => {
    expect(routeCauseShares(c)).toBe('60 % pool wait · 30 % lock wait · 5 % queries · 5 % other (8 of 10 requests measured)');
  });
  it('says not measured when no request was', () => {
    expect(routeCauseShares({ ...c, measured: 0 })).toMatch(/^not measured/);
  });
});
