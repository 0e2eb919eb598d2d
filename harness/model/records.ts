// Raw measurements: what the load driver, the lock sampler and the app fleet record while a
// variant runs. They are the inputs of the result model (build-result.ts); nothing here does I/O.

export type Outcome = 'ok' | 'non2xx' | 'error' | 'timeout' | 'unfinished' | 'dropped';

/**
 * Everything known about one request. Times are on the run's monotonic clock (harness/clock.ts).
 * Latency is endMs - scheduledMs: measured from the *scheduled* start (no coordinated omission).
 */
export interface RequestRecord {
  route: string;
  target: string | null; // LoadTarget.id, null if dropped before dispatch
  scheduledMs: number;
  sentMs: number; // when it was actually dispatched (= scheduledMs for the closed model)
  endMs: number; // response, error, timeout, or run end for 'unfinished'
  status: number; // HTTP status, 0 when none
  outcome: Outcome;
  /** SQLSTATE reported by the app in a 5xx body ({ sqlstate }), when present. */
  sqlstate?: string;
  /**
   * Open model only: when the request got a connection and was written; null if it never did.
   * wireMs - sentMs is time queued inside the load driver (all connectionsPerTarget busy), which
   * the app did not cause. Undefined for the closed model (one connection per request in flight).
   */
  wireMs?: number | null;
  /** Transport error code (e.g. ECONNREFUSED, UND_ERR_SOCKET) when outcome is 'error'. */
  errorCode?: string;
  /**
   * From the app's Server-Timing header (harness/app/server-timing.ts), absent when the response
   * had none (not measured): ms the app waited for a pg pool connection, ms in its queries (lock
   * waits included), and the backend pid of its last connection (joins it to lock samples).
   */
  poolMs?: number;
  dbMs?: number;
  backendPid?: number;
}

export interface Waiter {
  pid: number;
  application: string;
  mode: string | null;
  relation: string | null;
  blockers: number[];
  /** How long it has waited, from pg_locks.waitstart, at sample time. */
  waitingMs: number | null;
  query: string;
}

/** pg_stat_activity of a session that blocked a waiter, read in the same sample. */
export interface BlockerActivity {
  pid: number;
  application: string;
  state: string | null;
  /** clock_timestamp() - xact_start, at sample time; null when not in a transaction. */
  xactAgeMs: number | null;
  query: string;
  /** Waiting on a heavyweight lock itself (then it is a link, not a root). */
  waiting: boolean;
}

export interface LockSample {
  t: number; // monotonic ms at the time the sample's result arrived
  waiters: Waiter[];
  /** Every session named as a blocker by a waiter of this sample (absent in samplers before root-blocker sampling). */
  blockers?: BlockerActivity[];
}

export interface PoolSample {
  t: number; // monotonic ms
  instance: string;
  poolWaiting: number;
}

/** A process tree the CPU sampler follows: the harness itself, one app instance, or the Postgres server. */
export interface CpuComponentRef {
  name: string;
  kind: 'harness' | 'app' | 'postgres';
  label: string;
}

/**
 * Cumulative CPU counters read at time t. Deltas between consecutive samples are what was used in
 * between; a counter missing from a sample was not measured then (process gone, not visible).
 */
export interface CpuSample {
  t: number; // monotonic ms
  /** CPU seconds of the whole machine since boot: busy (user, system, irq, steal…) and total. */
  machine: { busy: number; total: number } | null;
  /** CPU seconds of each component's process tree (live processes plus the children they reaped). */
  components: Record<string, number>;
}
