// Contracts between the load driver, the balancer (which app instances are in rotation)
// and the analysis that turns raw request records into the per-second series and stalls.
import type { EventEmitter } from 'node:events';
import type { RequestRecord } from '../model/records.ts';


/** One HTTP request the load model wants to send. */
export interface RequestSpec {
  route: string; // stable name, e.g. "read-by-id"; stalls are computed per route
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown; // JSON-encoded when present
}

/** Produces the next request; must be cheap and deterministic for a given rng. */
export type RequestFactory = (rng: () => number) => RequestSpec;

/** An app instance that can receive traffic. */
export interface LoadTarget {
  id: string;
  origin: string; // e.g. http://127.0.0.1:41234
  /** Relative share of new traffic right now (slow start ramps a new instance up); default 1. */
  weight?: number;
}

/** Which instances are in rotation right now. Rolling deploys change this while load runs. */
export interface Balancer {
  /** The instances in rotation; the load driver splits traffic over them by weight (equal weights: round robin). */
  inRotation(): readonly LoadTarget[];
}

/**
 * Live snapshot emitted as 'tick' once per second, for a console progress line only:
 * the report is built from records by model/traffic.ts, never from ticks.
 */
export interface LoadTick {
  t: number; // whole seconds since the load started
  completed: number; // responses (any status) received during the last second
  non2xx: number;
  errors: number; // transport errors during the last second
  timeouts: number;
  dropped: number; // open model: arrivals refused (maxInFlight reached or no target in rotation)
  lateStarts: number; // open model: arrivals dispatched later than lateThresholdMs
  inFlight: number; // now
  oldestInFlightMs: number; // age (from scheduled start) of the oldest request in flight now
  p99Ms: number | null; // over requests that ended during the last second
  /** Requests waiting inside the load driver for a free connection: if > 0 the driver, not the app, is queueing. */
  clientQueued: number;
}

export interface LoadRunEvents {
  tick: [LoadTick];
}

export interface StopOptions {
  /** Open model: stop new arrivals, then wait up to this long for in-flight requests to answer. */
  graceMs?: number;
}

/** A running load. Both load models implement it. */
export interface LoadRun extends EventEmitter<LoadRunEvents> {
  readonly model: 'open' | 'closed';
  /** now() when the load started (the open model's arrival 0). */
  readonly startMs: number;
  /**
   * Stops sending. Requests still in flight are recorded as 'unfinished' with endMs = stop time,
   * then aborted. Idempotent: later calls return the same records.
   */
  stop(opts?: StopOptions): Promise<RequestRecord[]>;
  /** Records so far (live array: do not mutate). */
  records(): readonly RequestRecord[];
  /**
   * The requests in flight now, as 'unfinished' records ending at atMs: with records(), what a
   * live check sees (a request blocked right now is part of a stall right now). Not kept.
   */
  inFlightRecords(atMs: number): RequestRecord[];
  inFlight(): number;
  inFlightTo(targetId: string): number;
  /**
   * Resolves when nothing is in flight to the target (also on stop()). Call it after taking the
   * target out of rotation. Open model: resolves the first moment nothing is in flight to it.
   * Closed model: resolves once the target's connections have finished their last request and closed.
   */
  whenDrained(targetId: string): Promise<void>;
  /** Age (ms since scheduled start) of the oldest request in flight, 0 when none. */
  oldestInFlightMs(): number;
}
