// Lock samples become lock-wait events: consecutive samples of the same backend waiting for the
// same lock are one event, attributed to the step and statement it overlaps most. Pure: no I/O.
import type { LockSample } from './records.ts';
import type { BlockerSession, LockWaitEvent } from './schema.ts';
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
    const roots = rootsOf(s);
    const apps = new Map<number, string>([...s.waiters.map((w) => [w.pid, w.application] as const), ...(s.blockers ?? []).map((b) => [b.pid, b.application] as const)]);
    for (const w of s.waiters) {
      const key = `${w.pid}|${w.mode}|${w.relation}`;
      seen.add(key);
      let ev = open.get(key);
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
        ev = open.get(key)!;
      }
      if (s.blockers) {
        ev.blockedBy = ev.blockers.map((pid) => ({ pid, application: apps.get(pid) ?? ev!.blockedBy?.find((b) => b.pid === pid)?.application ?? '' }));
        // Every root seen during the wait, the one seen in most samples first, each with its latest activity.
        const seen = new Map((ev.rootBlockers ?? []).map((b) => [b.pid, b]));
        for (const b of roots.get(w.pid) ?? []) {
          // A sample that raced the root's end (its session gone, or idle outside a transaction, which
          // holds no lock) shows what it did after blocking: keep the last activity seen while it blocked.
          const prev = seen.get(b.pid);
          const ended = b.state === null || b.state === 'idle';
          const known = ended && prev ? { ...prev, pid: b.pid } : b;
          seen.set(b.pid, { ...known, samples: (prev?.samples ?? 0) + 1 });
        }
        if (seen.size) ev.rootBlockers = [...seen.values()].sort((a, b) => (b.samples ?? 0) - (a.samples ?? 0));
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

/**
 * The roots of each waiter's chain in one sample: the blockers it reaches through other waiters
 * that do not wait themselves (a cycle, i.e. a deadlock about to be broken, has no root).
 */
export function rootsOf(s: LockSample): Map<number, BlockerSession[]> {
  const blockersOf = new Map(s.waiters.map((w) => [w.pid, w.blockers]));
  const activity = new Map((s.blockers ?? []).map((b) => [b.pid, b]));
  const out = new Map<number, BlockerSession[]>();
  for (const w of s.waiters) {
    const roots = new Map<number, BlockerSession>();
    const seen = new Set<number>([w.pid]);
    const queue = [...w.blockers];
    while (queue.length) {
      const pid = queue.shift()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const next = blockersOf.get(pid);
      if (next) {
        queue.push(...next);
        continue;
      }
      const a = activity.get(pid);
      roots.set(pid, a ? { ...a } : { pid, application: '', state: null, xactAgeMs: null, query: '', waiting: false });
    }
    out.set(w.pid, [...roots.values()]);
  }
  return out;
}
