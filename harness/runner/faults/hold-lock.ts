// Fault: another session holds a table lock for a while (a long transaction, someone else's DDL).
// An ACCESS SHARE lock is enough to make an ALTER wait, and everything behind the ALTER with it.
import type { HoldLockFault } from '../../scenario.ts';
import type { FaultKind } from './fault-kinds.ts';
import { holdTableLock, lockProblems } from './lock-holder.ts';

export const holdLock: FaultKind<HoldLockFault> = {
  fault: 'hold-lock',
  validate: (f) => lockProblems(f),
  async fire(f, ctx, signal, tookEffect) {
    const mode = f.mode ?? 'ACCESS SHARE';
    const held = await holdTableLock(ctx.databaseUrl, f.table, mode, f.holdMs, signal, tookEffect);
    return {
      label: `${mode} lock on ${f.table} held for ${Math.round(held.releasedT - held.acquiredT)} ms by another session (pid ${held.pid})`,
      atT: held.acquiredT,
      endT: held.releasedT,
      details: { table: f.table, mode, holdMs: f.holdMs, pid: held.pid, waitedForLockMs: held.waitedMs },
    };
  },
};
