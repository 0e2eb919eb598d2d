// Latency causes in words, shared by the console and the HTML so both explain a stall the same way:
// "read-by-id stalled 3.0 s: its longest request (3.0 s) spent 2.99 s waiting for a pool
// connection, …; the pool was held by 3 update-balance requests waiting for RowExclusiveLock on
// users (step hold)". Every number comes from report.json; what was not measured is said so.
import type { CauseBreakdown, Stall, StallCause } from '../model/schema.ts';
import { fmtMs } from './format-units.ts';

type Part = { label: string; ms: number };

/** The parts of a latency, largest first, zero parts left out. */
export const causeParts = (c: Pick<CauseBreakdown, 'poolWaitMs' | 'lockWaitMs' | 'dbMs' | 'otherMs'>): Part[] =>
  [
    { label: 'waiting for a pool connection', ms: c.poolWaitMs },
    ...(c.lockWaitMs === null ? [] : [{ label: 'waiting on a lock', ms: c.lockWaitMs }]),
    { label: c.lockWaitMs === null ? 'in queries (lock waits not attributed, included)' : 'in queries', ms: c.dbMs },
    { label: 'elsewhere (HTTP, app code, queueing)', ms: c.otherMs },
  ]
    .filter((p) => p.ms > 0)
    .sort((a, b) => b.ms - a.ms);

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "3 update-balance requests waiting for RowExclusiveLock on users (step hold; root: rehearse-migration, idle in transaction)" */
export const appLockWaitText = (w: StallCause['appLockWaits'][number]): string => {
  const where = [w.step ? `step ${w.step}` : null, w.rootApplication !== undefined ? `root: ${w.rootApplication || 'unknown session'}${w.rootState ? `, ${w.rootState}` : ''}` : null].filter(Boolean).join('; ');
  return `${plural(w.sessions, `${w.route} request`)} waiting for ${w.mode}${w.relation ? ` on ${w.relation}` : ''}${where ? ` (${where})` : ''}`;
};

/** Why a stall happened, in one sentence (or why that cannot be said). */
export const stallCauseText = (s: Stall): string => {
  const head = `${s.route} stalled ${fmtMs(s.durationMs)}`;
  if (s.cause === undefined) return `${head}: cause not recorded (report written before latency causes)`;
  if (s.cause === null) return `${head}: cause not measured (the request that waited through it carried no app timing)`;
  const c = s.cause;
  const parts = causeParts(c);
  const split = parts.length ? parts.map((p) => `${fmtMs(p.ms)} ${p.label}`).join(', ') : 'no measured time';
  const waits = c.appLockWaits.slice(0, 3).map(appLockWaitText);
  const more = c.appLockWaits.length > 3 ? ` and ${c.appLockWaits.length - 3} more` : '';
  const held = !waits.length ? '' : parts[0]?.label === 'waiting for a pool connection'
    ? `; the pool was held by ${waits.join(', ')}${more}`
    : `; app sessions waiting on locks meanwhile: ${waits.join(', ')}${more}`;
  return `${head}: its longest-waiting request (${fmtMs(c.latencyMs)}) spent ${split}${held}`;
};

/** "62 % pool wait · 30 % lock wait · 5 % queries · 3 % other (of 1,204 measured requests)" */
export const routeCauseShares = (c: CauseBreakdown): string => {
  if (c.measured === 0) return 'not measured (the app sent no timing)';
  const total = c.poolWaitMs + (c.lockWaitMs ?? 0) + c.dbMs + c.otherMs;
  const pct = (ms: number) => `${total > 0 ? Math.round((ms / total) * 100) : 0} %`;
  const lock = c.lockWaitMs === null ? 'lock wait not attributed (in queries)' : `${pct(c.lockWaitMs)} lock wait`;
  const partial = c.measured < c.completed ? ` (${c.measured} of ${c.completed} requests measured)` : '';
  return `${pct(c.poolWaitMs)} pool wait · ${lock} · ${pct(c.dbMs)} queries · ${pct(c.otherMs)} other${partial}`;
};
