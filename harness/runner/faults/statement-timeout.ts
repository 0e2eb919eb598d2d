// Fault: statement_timeout fires on the migration. The migration's session gets a
// statement_timeout, and another session holds a lock on the table for longer than that, so the
// migration's next statement there waits past the timeout and is cancelled (SQLSTATE 57014),
// as a backfill batch stuck behind a long transaction is in production. The timeout is reset
// when the lock is released.
import type { StatementTimeoutFault } from '../../scenario.ts';
import type { FaultKind } from './fault-kinds.ts';
import { holdTableLock, lockProblems } from './lock-holder.ts';

export const statementTimeout: FaultKind<StatementTimeoutFault> = {
  fault: 'statement-timeout',
  validate(f) {
    const out = lockProblems(f);
    if (!Number.isInteger(f.timeoutMs) || !(f.timeoutMs > 0)) out.push('timeoutMs must be an integer > 0');
    else if (typeof f.holdMs === 'number' && f.holdMs <= f.timeoutMs) out.push('holdMs must be longer than timeoutMs, or no statement waits long enough to be cancelled');
    return out;
  },
  async fire(f, ctx, signal, tookEffect) {
    const mode = f.mode ?? 'SHARE';
    // Queued behind the statement in flight, so it applies from the migration's next statement on.
    await ctx.migration.query(`SET statement_timeout = ${f.timeoutMs}`);
    const pid = ctx.migrationPid;
    try {
      const held = await holdTableLock(ctx.databaseUrl, f.table, mode, f.holdMs, signal, tookEffect);
      return {
        label: `statement_timeout ${f.timeoutMs} ms on the migration session; ${mode} lock on ${f.table} held for ${Math.round(held.releasedT - held.acquiredT)} ms (pid ${held.pid})`,
        atT: held.acquiredT,
        endT: held.releasedT,
        details: { timeoutMs: f.timeoutMs, table: f.table, mode, holdMs: f.holdMs, lockHolderPid: held.pid, migrationPid: pid },
      };
    } finally {
      // The session may have been replaced meanwhile (a new one has no timeout to reset).
      if (ctx.migrationPid === pid) await ctx.migration.query('RESET statement_timeout').catch(() => {});
    }
  },
};
