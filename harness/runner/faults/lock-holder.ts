// Holds a table lock from a session of its own for a while, as a long transaction elsewhere would.
import { now } from '../../clock.ts';
import { pgClient } from '../../postgres/client.ts';
import type { LockMode } from '../../scenario.ts';
import { sleepUnlessAborted } from '../fault-schedule.ts';
import { IDENTIFIER } from '../sql-validation.ts';

export const LOCK_MODES: readonly LockMode[] = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

export interface HeldLock {
  pid: number;
  /** Monotonic: when the lock was granted and when it was released. */
  acquiredT: number;
  releasedT: number;
  /** How long LOCK TABLE itself waited (the table may be locked by the migration). */
  waitedMs: number;
}

/** Problems with a table + lock mode + hold time, for fault validation. */
export function lockProblems(f: { table?: unknown; mode?: unknown; holdMs?: unknown }): string[] {
  const out: string[] = [];
  if (typeof f.table !== 'string' || !IDENTIFIER.test(f.table)) out.push('table must be a table name (an identifier, optionally schema-qualified)');
  if (f.mode !== undefined && !LOCK_MODES.includes(f.mode as LockMode)) out.push(`mode must be one of ${LOCK_MODES.join(', ')}`);
  if (typeof f.holdMs !== 'number' || !(f.holdMs > 0)) out.push('holdMs must be a number > 0');
  return out;
}

/** BEGIN; LOCK TABLE …; hold for holdMs (less if aborted); COMMIT. Ending early on abort ends the session, which releases the lock. */
export async function holdTableLock(url: string, table: string, mode: LockMode, holdMs: number, signal: AbortSignal, granted: () => void = () => {}): Promise<HeldLock> {
  const c = pgClient(url, 'rehearse-fault');
  const onAbort = () => void c.end().catch(() => {});
  await c.connect();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await c.query('BEGIN');
    const t0 = now();
    await c.query(`LOCK TABLE ${table} IN ${mode} MODE`);
    const acquiredT = now();
    granted();
    await sleepUnlessAborted(holdMs, signal);
    if (!signal.aborted) await c.query('COMMIT');
    return { pid, acquiredT, releasedT: now(), waitedMs: Math.round(acquiredT - t0) };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await c.end().catch(() => {});
  }
}
