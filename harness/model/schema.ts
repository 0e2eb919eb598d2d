// The run result: the single source from which every output (HTML, console, …) is rendered.
// Field names here are a public contract read by CI and other tools: add fields freely; a rename
// or removal bumps SCHEMA_VERSION and is listed in docs/report-schema.md.
import type { Projection } from './projection.ts';

export const SCHEMA_VERSION = 2;

export type Verdict = 'pass' | 'fail';
export type StepKind = 'sql' | 'deploy' | 'backfill' | 'verify' | 'pause' | 'fault' | 'background';
export type StepStatus = 'ok' | 'failed' | 'skipped';

/** A lock held by a migration statement, read from pg_locks for its backend before commit. */
export interface LockHeld {
  mode: string; // e.g. AccessExclusiveLock
  relation: string | null; // regclass text, null for non-relation locks
  locktype: string;
}

export interface StatementAttempt {
  attempt: number; // 1-based
  startMs: number; // run-relative
  durationMs: number;
  lockWaitMs: number;
  error?: { sqlstate?: string; message: string };
}

export interface StatementTrace {
  sql: string;
  /** Where the statement is written, when it came from a file. */
  source?: { file: string; line: number };
  /** 1-based transaction of the step it ran in; absent when it ran in autocommit. */
  transaction?: number;
  startMs: number; // run-relative, first attempt
  endMs: number; // run-relative, end of the last attempt
  durationMs: number; // endMs - startMs: includes failed attempts and backoff
  /** Time spent waiting for its own locks, summed over attempts (polled, see observer.lockWaitResolutionMs). */
  lockWaitMs: number;
  locks: LockHeld[];
  /** Run-relative time its locks were released: the end of its transaction (its own end in autocommit). */
  heldUntilMs?: number;
  /** Relations created by the statement's transaction up to this statement: their locks block nobody. */
  createdRelations?: string[];
  /** True when the statement changed the relfilenode of any table or index (a rewrite). */
  rewrote: boolean;
  rewrittenRelations: string[];
  /**
   * Rows the statement read by sequential scans, per table (pg_stat_xact_user_tables before and
   * after it, in its own transaction): a full-table check such as SET NOT NULL or VALIDATE shows
   * here. Absent when it ran in autocommit (not measured).
   */
  scannedRows?: Record<string, number>;
  attempts: StatementAttempt[];
  status: StepStatus;
  error?: { sqlstate?: string; message: string };
}

export interface StepResult {
  name: string;
  kind: StepKind;
  status: StepStatus;
  /** With --rehearse-rollback: 'forward' for the steps run up to the last reversible one, 'rollback' for the undo. */
  phase?: 'forward' | 'rollback';
  startMs: number; // run-relative
  endMs: number;
  durationMs: number;
  statements: StatementTrace[];
  error?: { code?: string; sqlstate?: string; message: string };
  /** Kind-specific facts: backfill rows/s, verify count, deploy version… */
  details?: Record<string, unknown>;
  /** Traffic measured while this step ran (attributed by request start time). */
  traffic?: TrafficSummary;
  /** Failed requests scheduled in this step, by SQLSTATE (e.g. 42703 from old code after a rename). */
  errorsBySqlstate?: Record<string, number>;
  maxLockWaiters?: number;
  /** Longest stall attributed to this step (the step it overlaps most), 0 when none. */
  longestStallMs?: number;
  /** The run's unscoped budgets checked on this step alone (metrics whose step value never exceeds the run's). */
  budgets?: BudgetCheck[];
  /** Seconds of this step in which the machine's CPU was saturated (see CpuUse); absent when CPU was not measured. */
  saturatedSeconds?: number;
  /** Where each route's latency went in this step (requests scheduled in it). Absent in reports before it existed. */
  latencyCauses?: RouteCauses[];
}

export interface TrafficSummary {
  requests: number;
  completed: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  unfinished: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  errorRate: number;
}

/** One second of the run. Every field is measured; null means "not measured in this second". */
export interface TimelinePoint {
  t: number; // seconds since run start (bucket start)
  step: string | null; // step running at the bucket start
  scheduled: number; // open model: arrivals scheduled in this second
  completed: number; // responses received (any status)
  ok: number;
  non2xx: number;
  errors: number; // connection/transport errors
  timeouts: number;
  lateStarts: number; // open model: dispatched > lateThreshold after schedule
  dropped: number; // open model: not sent because maxInFlight was reached
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  inFlight: number; // at the end of the second
  oldestInFlightMs: number; // age of the oldest in-flight request at the end of the second
  poolWaiting: number | null; // max pg pool waitingCount reported by app instances
  lockWaiters: number | null; // max backends waiting on a Lock (observer)
}

export interface Stall {
  route: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  step: string | null;
  statement: string | null; // migration statement running when the stall started
  /** The window began during warm-up; startMs/durationMs count only its part after warm-up. */
  beganInWarmup?: boolean;
  /** Why it stalled (model/causes.ts); null when the app did not measure the request that waited through it. Absent in reports before it existed. */
  cause?: StallCause | null;
}

/**
 * Where time went, summed over a route's completed requests that the app measured (Server-Timing):
 * latencyMs = poolWaitMs + (lockWaitMs ?? 0) + dbMs + otherMs, up to rounding (concurrent queries
 * of one request can make pool + db exceed its latency; other is then 0).
 */
export interface CauseBreakdown {
  /** Completed requests (any status), measured or not. */
  completed: number;
  /** Of those, the ones the app reported timing for: the sums below cover only these. */
  measured: number;
  latencyMs: number;
  /** Waiting for a pg pool connection in the app. */
  poolWaitMs: number;
  /** The request's backend waiting on a lock (lock samples, up to one interval short); null when it could not be attributed: then it is inside dbMs. */
  lockWaitMs: number | null;
  /** Query time, less lockWaitMs when that is known. */
  dbMs: number;
  /** The rest: HTTP, the app's own work, queueing in the load driver and the app's event loop. */
  otherMs: number;
}

export interface RouteCauses extends CauseBreakdown {
  route: string;
}

/** The request of a stalled route that waited longest inside the stall, split (run-relative times). */
export interface StallCause {
  scheduledMs: number;
  latencyMs: number;
  poolWaitMs: number;
  lockWaitMs: number | null;
  dbMs: number;
  otherMs: number;
  /** Lock waits of app sessions overlapping the stall, by the route each served: who held the pool. */
  appLockWaits: {
    route: string;
    mode: string;
    relation: string | null;
    /** Step and migration statement the wait overlapped most. */
    step: string | null;
    statement: string | null;
    /** How many app backends waited so. */
    sessions: number;
    /** The root blocker seen most (lock-waits.ts), when sampled. */
    rootApplication?: string;
    rootState?: string | null;
  }[];
}

/** A session seen blocking others, from pg_stat_activity at the sample: who sits in a lock-wait chain. */
export interface BlockerSession {
  pid: number;
  application: string;
  /** pg_stat_activity.state: active, idle in transaction, … (null when the session was gone). */
  state: string | null;
  /** Age of its open transaction at the last sample that saw it; null when it had none. */
  xactAgeMs: number | null;
  query: string;
  /** It was itself waiting on a lock (a link of the chain, not its root). */
  waiting: boolean;
  /** In how many lock samples of the wait it was the root (rootBlockers are ordered by it). */
  samples?: number;
}

export interface LockWaitEvent {
  /** A backend that waited on a lock, merged across consecutive samples. */
  pid: number;
  application: string;
  mode: string;
  relation: string | null;
  blockers: number[];
  /** The blockers with their application names, when the sampler saw them. */
  blockedBy?: { pid: number; application: string }[];
  /**
   * The root of its lock-wait chain: the sessions that blocked it (directly or through other
   * waiters) without waiting themselves; every one seen during the wait, the one seen in most
   * samples first, each with its state, transaction age and query at the last sample that saw it.
   */
  rootBlockers?: BlockerSession[];
  firstSeenMs: number;
  lastSeenMs: number;
  waitStartMs: number | null; // from pg_locks.waitstart
  step: string | null;
  statement: string | null; // migration statement blocking/running at the time
  query: string;
}

export interface Budgets {
  maxStallMs: number;
  maxErrorRate: number;
}

/** The slice a budget applies to; empty = the whole run (see model/metrics.ts). */
export interface BudgetScope {
  step?: string;
  route?: string;
  sqlstate?: string;
  /** The budget applies to this variant only. */
  variant?: string;
}

export interface BudgetCheck {
  /** The budget as declared: "maxStallMs", "longestStallMs{step:contract}", "p99Ms{route:read-by-id}"… */
  name: string;
  /** The metric measured (model/metrics.ts), e.g. longestStallMs for maxStallMs. Absent in reports before it existed. */
  metric?: string;
  /** What was measured: {} = the whole run. */
  scope?: BudgetScope;
  unit?: 'ms' | 'ratio' | 'count' | 's';
  /** Set on the run-level summary, where the checks of every variant are listed. */
  variant?: string;
  limit: number;
  /** The measured value; null when the slice had nothing to measure (see note). */
  value?: number | null;
  /** Same as value (its first name). */
  actual: number | null;
  /** actual <= limit; a check with nothing to measure passes and says so in its note. */
  ok: boolean;
  /** The migration stops as soon as this budget breaches. */
  abortOnFail?: boolean;
  /** For a check over the whole run: the step (and route) where the worst value happened. */
  where?: { step?: string | null; route?: string };
  note?: string;
}

/** A run the harness stopped early because an abortOnFail budget breached. */
export interface BudgetAbort {
  /** The budget's name as declared. */
  budget: string;
  check: BudgetCheck;
  /** Run-relative time of the check that breached. */
  atMs: number;
  /** The step that was running (and was cancelled). */
  step: string | null;
}

export interface Summary {
  verdict: Verdict;
  completed: boolean; // all steps ran to the end without failure
  longestStallMs: number;
  longestStall: Stall | null;
  maxLatencyMs: number;
  errorRate: number;
  maxLockWaiters: number;
  requests: number;
  errorsBySqlstate: Record<string, number>;
  budgets: BudgetCheck[];
  failedStep: string | null;
  /** p99 latency of every request of the run; absent in reports before it existed. */
  p99Ms?: number | null;
  /** Set when an abortOnFail budget stopped the migration. */
  aborted?: BudgetAbort | null;
}

export interface LoadInfo {
  model: 'open' | 'closed';
  rate: number | null; // open model arrivals/s
  connections: number | null; // closed model
  capacityRps: number | null; // measured by the probe, null if not probed
  mix: Record<string, number>;
  instances: number;
  timeoutMs: number;
  /** Balancer slow start: a new instance's share of traffic ramps up linearly over this long; 0 = off. */
  slowStartMs?: number;
}

/** App settings that change a rehearsal's outcome. */
export interface AppSettings {
  /** pg pool size per instance. */
  poolSize: number;
  /** statement_timeout of the app's sessions in ms; null leaves the server default (none). */
  statementTimeoutMs: number | null;
  /** lock_timeout of the app's sessions in ms; with one, a blocking migration shows as errors instead of stalls. */
  lockTimeoutMs: number | null;
}

/** One route of an app that serves SQL (the workload app): what it runs, per version. */
export interface AppRoute {
  name: string;
  /** Share of the traffic (all routes sum to 1). */
  weight: number;
  /** Version → its SQL statements, null when that version does not serve the route. */
  sql: Record<string, string[] | null>;
  /** The parameter generators, one line each, e.g. "pick(Booking.uid)". */
  params: string[];
}

/** Something that happened during a variant, for the timeline (an instance died, a fault was injected…). */
export interface RunEvent {
  kind: string; // 'instance-exit', 'fault', …
  atMs: number; // run-relative
  endMs?: number; // for events with a duration (drawn as a band)
  label: string;
  details?: Record<string, unknown>;
  /** How the app and the migration fared from this event on (computed from the measurements). */
  impact?: EventImpact;
}

/**
 * Traffic from an event until the later of its own end and the end of the step it happened in,
 * and how that step ended: what a fault did to the app and to the migration.
 */
export interface EventImpact {
  /** The step running when the event began (null between steps). */
  step: string | null;
  stepStatus: StepStatus | null;
  /** The step's error SQLSTATE, when it failed. */
  stepSqlstate: string | null;
  fromMs: number;
  toMs: number;
  requests: number;
  /** non-2xx + transport errors + timeouts. */
  errors: number;
  errorsBySqlstate: Record<string, number>;
  p99Ms: number | null;
  maxMs: number | null;
  /** Longest listed stall (see VariantResult.stalls) overlapping the window, any route; 0 when none. */
  longestStallMs: number;
}

export interface DatasetInfo {
  description: string;
  seed: number;
  /** Rows per table, as loaded. */
  tables: Record<string, number>;
}

export interface VariantResult {
  schemaVersion: number;
  scenario: string;
  /** Unique in the report; "<variant>@<scale>" when the run rehearsed several scales. */
  variant: string;
  /** With --scales: the scenario's own variant name and the scale this run used. */
  scale?: { variant: string; label: string };
  /** In a version matrix (--pg 14,18, several --pg-image): the scenario's own variant name and the server's label ("pg14"); the name is "<variant>@<label>". */
  server?: { variant: string; label: string };
  description: string;
  startedAt: string; // ISO
  durationMs: number;
  postgres: { provider: string; version: string };
  dataset: DatasetInfo;
  app: {
    name: string;
    initialVersion: string;
    settings: AppSettings;
    /** Apps that serve SQL (the workload app): each route's SQL and params; absent for the sample app. */
    routes?: AppRoute[];
    /** What the app says about itself, e.g. which tables a derived workload loads and what it skipped. */
    notes?: string[];
  };
  load: LoadInfo;
  summary: Summary;
  steps: StepResult[];
  timeline: TimelinePoint[];
  stalls: Stall[];
  lockWaits: LockWaitEvent[];
  events: RunEvent[];
  /** True when a signal (Ctrl-C, SIGTERM) or a harness failure stopped this variant before its last step. */
  interrupted: boolean;
  observer: {
    intervalMs: number;
    samples: number;
    lockWaitResolutionMs: number;
    /**
     * The harness's own event-loop delay while the load ran (perf_hooks, 10 ms resolution): the load
     * driver, observers and runner share one process, so a request's send and receive times can be
     * late by up to this much. Absent in reports written before it was measured.
     */
    eventLoopDelay?: { p99Ms: number; maxMs: number };
  };
  /** Backend pid of the migration's session: lock waits whose blockers name it were blocked by the migration. null if it never connected. */
  migrationPid: number | null;
  /** With --harden: this variant is another one rewritten by the safe patterns; every rewrite with before and after. */
  hardening?: Hardening;
  /** With --rehearse-rollback: what was rolled back, and whether the old code was healthy again. */
  rollback?: RollbackResult;
  /** What the harness could not measure in this run, in words. */
  notMeasured: string[];
  /** Load before the first step, excluded from every statistic; null in reports before warm-up existed. */
  warmup?: Warmup | null;
  /** Rate and latency at the end of warm-up, before any step: what the steps are compared against. */
  steadyState?: SteadyState | null;
  /** CPU use of the machine and of each component, per second. */
  cpu?: CpuUse | null;
  /** Where each route's latency went, after warm-up (model/causes.ts). Absent in reports before it existed. */
  latencyCauses?: RouteCauses[];
  /** Responses per 100 ms for runs up to 3 minutes (model/fine-timeline.ts); null for longer runs, absent in older reports. */
  fineTimeline?: FineTimeline | null;
}

/** Columns per bucket of bucketMs from the run start (index k = [k·bucketMs, (k+1)·bucketMs)), by response time. */
export interface FineTimeline {
  bucketMs: number;
  /** Responses (any status) received in the bucket. */
  completed: number[];
  /** Highest latency of those responses; null when none arrived (nothing to measure). */
  maxLatencyMs: (number | null)[];
}

/** When latency counts as steady: per-second p99 of `windowSeconds` consecutive seconds within a band. */
export interface SteadyCriteria {
  windowSeconds: number;
  /** Band: the highest per-second p99 is at most maxRatio × the lowest … */
  maxRatio: number;
  /** … or at most slackMs above it (a few ms of jitter on a 3 ms p99 is not warming up). */
  slackMs: number;
  /** Auto warm-up gives up after this long and says so. */
  capMs: number;
}

export interface Warmup {
  /** auto: until latency is steady (criteria); fixed: --warmup <s>; off: --warmup 0. */
  mode: 'auto' | 'fixed' | 'off';
  startMs: number; // run-relative
  endMs: number; // run-relative: the first step starts here
  durationMs: number;
  /** Whether the last window met the criteria (auto: before the cap); null when off. */
  settled: boolean | null;
  criteria: SteadyCriteria;
  /** Requests scheduled during warm-up (excluded from the summary, the steps and budgets). */
  traffic: TrafficSummary | null;
  /** Longest stall inside warm-up (not counted anywhere else). */
  longestStallMs: number;
}

export interface SteadyState {
  fromMs: number; // run-relative: the last window of warm-up
  toMs: number;
  /** 2xx responses per second to requests scheduled in the window. */
  requestsPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** False when warm-up ended without meeting the criteria (cap reached, or a fixed length too short). */
  settled: boolean;
}

/** A process tree whose CPU is accounted on its own. */
export interface CpuComponent {
  name: string; // 'harness', 'postgres', 'app-3'
  kind: 'harness' | 'app' | 'postgres';
  label: string; // e.g. 'app-3 (dual-write)'
  /** Cores used per second (index = timeline t); null = not alive or not measured in that second. */
  cores: (number | null)[];
  /** CPU seconds over the whole run. */
  cpuSeconds: number;
}

export interface CpuUse {
  /** Logical CPUs of the machine. */
  cores: number;
  intervalMs: number;
  /** A second is saturated when the machine's busy share reaches this (0..1). */
  saturationThreshold: number;
  /** Busy cores of the whole machine per second, every process (ours and others'); null = not measured. */
  machine: (number | null)[];
  components: CpuComponent[];
  /** Timeline seconds (t) at or above the threshold, warm-up included. */
  saturatedSeconds: number[];
  /** Mean cores over the steady-state window: harness, apps, postgres, other processes, machine. */
  steadyState: { harness: number | null; apps: number | null; postgres: number | null; other: number | null; machine: number | null; saturatedSeconds: number } | null;
}

/** Whether the variants' steady states are close enough for their comparison to mean anything. */
export interface BaselineCheck {
  /** null when it cannot be checked (one variant, or a variant without a steady state). */
  comparable: boolean | null;
  tolerance: { maxP99Ratio: number; p99SlackMs: number; maxRateDiff: number };
  reasons: string[];
}

/** One statement of a migration as --harden rewrote it (or could not). */
export interface HardenRewrite {
  step: string;
  /** Where the original statement is written, when it came from a file. */
  source?: { file: string; line: number };
  /** The safe pattern applied: create-index-concurrently, fk-not-valid, not-null-via-check, unique-using-index, lock-timeout-retry; 'none' when there is no safe rewrite. */
  pattern: string;
  before: string;
  /** The statements that replace it (each line one statement, transactions marked); empty for 'none'. */
  after: string[];
  /** Why, and what the reader should know (e.g. "no safe rewrite: see scenarios/change-column-type.ts"). */
  note: string;
}

export interface Hardening {
  /** The variant this one hardens. */
  from: string;
  rewrites: HardenRewrite[];
}

export interface RollbackResult {
  /** The last reversible step the forward run reached. */
  lastReversibleStep: string;
  /** Forward steps left out (they cannot be undone, e.g. a contract). */
  notRun: string[];
  /** The version the app was rolled back to. */
  oldVersion: string;
  /** The window in which the old code's health was judged (run-relative ms). */
  healthWindow: { startMs: number; endMs: number };
  /** The old code served every request of the health window without an error, and every rollback step succeeded. */
  healthy: boolean;
  /** Why it is not healthy, in words; empty when healthy. */
  problems: string[];
  /** Traffic of the health window. */
  traffic: TrafficSummary;
  /** Longest stall attributed to a rollback step, and the step. */
  longestStallMs: number;
  longestStallStep: string | null;
}

/**
 * --calibrate: a known ACCESS EXCLUSIVE hold on a scratch table under load, measured by the same
 * detectors as the variants, so a reader knows how far to trust the numbers on this machine.
 */
export interface Calibration {
  /** The hold asked for: pg_sleep inside the transaction that holds the lock. */
  holdTargetMs: number;
  /** The statement tracer's hold (lock acquired → transaction end). */
  tracedHoldMs: number | null;
  /** The longest stall the stall detector found on the calibration route. */
  stallMs: number | null;
  /** stallMs − tracedHoldMs: how far the stall detector was off. */
  stallErrorMs: number | null;
  /** Longest lock wait of an app backend seen by the lock sampler. */
  lockWaitMs: number | null;
  lockWaitErrorMs: number | null;
  /** The stall error is acceptable within ± this. */
  toleranceMs: number;
  ok: boolean;
  /** Open-model arrivals per second during the calibration. */
  rate: number;
  requests: number;
  /** One sentence for the reader. */
  summary: string;
}
/** How the run as a whole ended. */
export type RunStatus = 'completed' | 'interrupted' | 'error';

export interface RunReport {
  schemaVersion: number;
  runId: string;
  /** completed: every variant ran (steps may still have failed, see summary); interrupted: a signal stopped it; error: the harness failed. */
  status: RunStatus;
  /** Where the run was when it stopped early, e.g. "variant naive: step backfill (backfill)"; null when completed. */
  stoppedDuring: string | null;
  /** Why it stopped early (REH_INTERRUPTED, REH_PG_DIED, …); null when completed. */
  error: { code: string; message: string } | null;
  tool: { name: 'rehearse'; version: string };
  startedAt: string;
  durationMs: number;
  scenario: string;
  /** Overall verdict: fail if any variant fails. Mirrors variants[0] when there is only one. */
  summary: Summary;
  steps: StepResult[]; // of the first variant, for single-variant readers
  timeline: TimelinePoint[]; // of the first variant
  variants: VariantResult[];
  seed: { tables: Record<string, number>; seconds: number; rowsPerSec: number; reused: boolean; notes: string[] } | null;
  /** With --scales: each statement fitted against rows and projected to production size. */
  projection?: Projection;
  /** With --calibrate: how closely the detectors measured a known hold on this machine. */
  calibration?: Calibration;
  /** Whether the variants ran on comparable baselines (steady states). */
  baselines?: BaselineCheck;
}
