// Lock samples become lock-wait events: consecutive samples of the same backend waiting for the
// same lock are one event, attributed to the step and statement it overlaps most. Pure: no I/O.
import type { LockSample } from './records.ts';
import type { LockWaitEvent } from './schema.ts';
import { dominant, type Window } from './windows.ts';

export interface LockWaitInput {
  runStartMs: number;
  runEndMs: number;
  lockSamples: readonly LockSample[];
  clock: { steps: Window[]; statements: Window[] };
}

/** Consecutive samples of the same backend waiting for the same lock become one event. */
export function lockWaitEvents(m: LockWaitInput): LockWaitEvent[] {
  const open = new Map<string, LockWaitEvent>();
  const done: LockWaitEvent[] = [];
  const rel = (t: number) => Math.round(t - m.runStartMs);
  for (const s of m.lockSamples) {
    const seen = new Set<string>();
    for (const w of s.waiters) {
      const key = `${w.pid}|${w.mode}|${w.relation}`;
      seen.add(key);
      const ev = open.get(key);
      if (ev) {
        ev.lastSeenMs = rel(s.t);
        ev.blockers = [...new Set([...ev.blockers, ...w.blockers])];
      } else {
        open.set(key, {
          pid: w.pid, application: w.application, mode: w.mode ?? 'unknown', relation: w.relation, blockers: w.blockers,
          firstSeenMs: rel(s.t), lastSeenMs: rel(s.t),
          waitStartMs: w.waitingMs === null ? null : Math.round(rel(s.t) - w.waitingMs),
          step: null, statement: null, query: w.query,
        });
      }
    }
    for (const [key, ev] of open) if (!seen.has(key)) { done.push(ev); open.delete(key); }
  }
  done.push(...open.values());
  for (const ev of done) {
    const from = m.runStartMs + (ev.waitStartMs ?? ev.firstSeenMs);
    const to = m.runStartMs + ev.lastSeenMs;
    ev.step = dominant(m.clock.steps, from, to, m.runEndMs);
    ev.statement = dominant(m.clock.statements, from, to, m.runEndMs);
  }
  return done.sort((a, b) => a.firstSeenMs - b.firstSeenMs);
}
