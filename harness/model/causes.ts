// Why requests were slow: each request's latency split into pool wait, lock wait, query time and
// other, from the app's Server-Timing (RequestRecord.poolMs/dbMs/backendPid) and the lock samples.
// Per route (run and step) as sums, and per stall from the request that waited through it. Pure.
//
// Lock wait is the time the request's backend was seen waiting on a heavyweight lock while the
// request ran: from pg_locks.waitstart to the last sample that still saw it, so it can be short by
// up to one sampling interval; it is part of the query time the app measured, so db = query − lock.
// Without a backend pid or lock samples it cannot be attributed: lockWaitMs is null and stays in db.
import type { LockSample, RequestRecord } from './records.ts';
import type { CauseBreakdown, LockWaitEvent, RouteCauses, StallCause } from './schema.ts';

/** One request's latency, split. Null when the app did not measure it (no Server-Timing). */
export interface RequestCause {
  latencyMs: number;
  poolWaitMs: number;
  lockWaitMs: number | null;
  dbMs: number;
  otherMs: number;
}

const completed = (r: RequestRecord) => r.outcome === 'ok' || r.outcome === 'non2xx';

/** When the request held its backend: after its pool wait until its end (before, the backend served another request). */
const heldBackend = (r: RequestRecord): [number, number] => [r.sentMs + (r.poolMs ?? 0), r.endMs];

/** Lock samples by backend pid: when each wait began (waitstart, else first seen) and when it was last seen. */
export class LockWaitIndex {
  private readonly byPid = new Map<number, { t: number; since: number }[]>();
  readonly sampled: boolean;

  constructor(samples: readonly LockSample[]) {
    this.sampled = samples.length > 0;
    for (const s of samples) {
      for (const w of s.waiters) {
        let list = this.byPid.get(w.pid);
        if (!list) this.byPid.set(w.pid, (list = []));
        list.push({ t: s.t, since: w.waitingMs === null ? s.t : s.t - w.waitingMs });
      }
    }
    for (const list of this.byPid.values()) list.sort((a, b) => a.t - b.t);
  }

  /** Time `pid` was seen waiting on a lock within [fromMs, toMs]; each wait from its start to its last sample. */
  waitedMs(pid: number, fromMs: number, toMs: number): number {
    const list = this.byPid.get(pid);
    if (!list) return 0;
    const waits = new Map<number, number>(); // wait start → last seen
    let lo = 0; // first sample at or after fromMs (binary search: a backend serves many requests)
    for (let hi = list.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.t < fromMs) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < list.length; k++) {
      const x = list[k]!;
      if (x.t > toMs) break;
      const since = Math.round(Math.max(x.since, fromMs)); // the same wait in every sample, up to rounding
      waits.set(since, Math.max(waits.get(since) ?? x.t, x.t));
    }
    let sum = 0;
    for (const [since, last] of waits) sum += Math.max(0, last - since);
    return sum;
  }
}

export function requestCause(r: RequestRecord, locks: LockWaitIndex): RequestCause | null {
  if (!completed(r) || r.poolMs === undefined || r.dbMs === undefined) return null;
  const latencyMs = r.endMs - r.scheduledMs;
  const lockWaitMs = r.backendPid === undefined || !locks.sampled ? null : Math.min(r.dbMs, locks.waitedMs(r.backendPid, ...heldBackend(r)));
  const dbMs = r.dbMs - (lockWaitMs ?? 0);
  return { latencyMs, poolWaitMs: r.poolMs, lockWaitMs, dbMs, otherMs: Math.max(0, latencyMs - r.poolMs - r.dbMs) };
}

const round = (x: number) => Math.round(x);

/** Sums per route over the records (already sliced to a window by the caller), routes in first-seen order. */
export function routeCauses(records: readonly RequestRecord[], locks: LockWaitIndex): RouteCauses[] {
  const out = new Map<string, CauseBreakdown & { route: string }>();
  for (const r of records) {
    if (!completed(r)) continue;
    let c = out.get(r.route);
    if (!c) out.set(r.route, (c = { route: r.route, completed: 0, measured: 0, latencyMs: 0, poolWaitMs: 0, lockWaitMs: locks.sampled ? 0 : null, dbMs: 0, otherMs: 0 }));
    c.completed++;
    const x = requestCause(r, locks);
    if (!x) continue;
    c.measured++;
    c.latencyMs += x.latencyMs;
    c.poolWaitMs += x.poolWaitMs;
    // One request without a backend pid makes the route's lock wait unattributable: it all stays in db.
    c.lockWaitMs = c.lockWaitMs === null || x.lockWaitMs === null ? null : c.lockWaitMs + x.lockWaitMs;
    c.dbMs += x.dbMs + (x.lockWaitMs ?? 0); // the query time as measured; the lock part comes off below
    c.otherMs += x.otherMs;
  }
  return [...out.values()].map((c) => ({
    ...c, latencyMs: round(c.latencyMs), poolWaitMs: round(c.poolWaitMs), lockWaitMs: c.lockWaitMs === null ? null : round(c.lockWaitMs),
    dbMs: round(c.dbMs - (c.lockWaitMs ?? 0)), otherMs: round(c.otherMs),
  }));
}

/**
 * The cause of a stall [startMs, endMs) of a route (monotonic times): the completed request of
 * the route that spent the longest inside the window (it waited through the stall), split; and
 * the app sessions' lock waits overlapping the window, with the route each backend was serving.
 * Null when that request was not measured. Records are indexed once by route and by backend pid,
 * so a run with many stalls and lock waits stays linear.
 */
export class StallExplainer {
  private readonly byRoute = new Map<string, RequestRecord[]>();
  private readonly byPid = new Map<number, RequestRecord[]>();

  constructor(
    records: readonly RequestRecord[],
    private readonly locks: LockWaitIndex,
    private readonly lockWaits: readonly LockWaitEvent[],
    private readonly runStartMs: number,
  ) {
    for (const r of records) {
      if (!completed(r)) continue;
      push(this.byRoute, r.route, r);
      if (r.backendPid !== undefined) push(this.byPid, r.backendPid, r);
    }
  }

  explain(stall: { route: string; startMs: number; endMs: number }): StallCause | null {
    let best: RequestRecord | null = null;
    let bestOverlap = 0;
    for (const r of this.byRoute.get(stall.route) ?? []) {
      const overlap = Math.min(r.endMs, stall.endMs) - Math.max(r.scheduledMs, stall.startMs);
      if (overlap > bestOverlap) [best, bestOverlap] = [r, overlap];
    }
    const cause = best && requestCause(best, this.locks);
    if (!best || !cause) return null;
    return {
      scheduledMs: round(best.scheduledMs - this.runStartMs),
      latencyMs: round(cause.latencyMs),
      poolWaitMs: round(cause.poolWaitMs),
      lockWaitMs: cause.lockWaitMs === null ? null : round(cause.lockWaitMs),
      dbMs: round(cause.dbMs),
      otherMs: round(cause.otherMs),
      appLockWaits: this.appLockWaitsDuring(stall),
    };
  }

  /**
   * Lock waits of backends that served requests during the stall, grouped by the route they served,
   * the lock and the step: "update-balance requests waiting for ShareLock on users (step hold)".
   */
  private appLockWaitsDuring(stall: { startMs: number; endMs: number }): StallCause['appLockWaits'] {
    const from = stall.startMs - this.runStartMs;
    const to = stall.endMs - this.runStartMs;
    const groups = new Map<string, StallCause['appLockWaits'][number]>();
    for (const ev of this.lockWaits) {
      const evFrom = ev.waitStartMs ?? ev.firstSeenMs;
      if (ev.lastSeenMs < from || evFrom > to) continue;
      // The request its backend was serving while it waited (it held the backend after its pool wait).
      const served = (this.byPid.get(ev.pid) ?? []).find((r) => heldBackend(r)[0] - this.runStartMs <= ev.lastSeenMs && r.endMs - this.runStartMs >= evFrom);
      if (!served) continue; // not an app request the driver saw (another session)
      const root = ev.rootBlockers?.[0];
      const key = `${served.route}|${ev.mode}|${ev.relation}|${ev.step}`;
      const g = groups.get(key);
      if (g) g.sessions++;
      else groups.set(key, { route: served.route, mode: ev.mode, relation: ev.relation, step: ev.step, statement: ev.statement, sessions: 1, ...(root ? { rootApplication: root.application, rootState: root.state } : {}) });
    }
    return [...groups.values()].sort((a, b) => b.sessions - a.sessions);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
