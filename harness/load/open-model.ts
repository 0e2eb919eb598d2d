// Open load model: users arrive on a fixed schedule whether or not the app keeps up, so a stall
// piles up in-flight requests instead of silently slowing the load down (no coordinated omission).
import { EventEmitter } from 'node:events';
import { Pool, type Dispatcher } from 'undici';
import { SERVER_TIMING_HEADER } from '../app/server-timing.ts';
import { now } from '../clock.ts';
import type { Outcome, RequestRecord } from '../model/records.ts';
import { encodeBody, errorCodeOf, isOkStatus, parseSqlstate, withServerTiming } from './http-util.ts';
import { TickWindow } from './live-tick.ts';
import { mulberry32 } from './rng.ts';
import { WeightedPicker } from './weighted.ts';
import type {
  Balancer,
  LoadRun,
  LoadRunEvents,
  LoadTarget,
  RequestFactory,
  RequestSpec,
  StopOptions,
} from './types.ts';

export interface OpenLoadOptions {
  /** Arrivals per second. */
  rate: number;
  factory: RequestFactory;
  balancer: Balancer;
  timeoutMs?: number; // default 30000
  maxInFlight?: number; // default 20000; arrivals beyond it are recorded as 'dropped'
  seed: number;
  lateThresholdMs?: number; // default 50
  connectionsPerTarget?: number; // default 128
}

interface Pending {
  id: number;
  route: string;
  target: LoadTarget;
  pool: PoolEntry;
  scheduledMs: number;
  sentMs: number;
  wireMs: number | undefined; // when a connection took it; later than sentMs = queued in our pool
  status: number; // known once headers arrived
  timing?: string | string[]; // the app's Server-Timing header
  settled: boolean;
  controller: Dispatcher.DispatchController | undefined; // set once it is on a connection
  timer: NodeJS.Timeout | undefined;
}

interface PoolEntry {
  origin: string;
  pool: Pool;
  inFlight: number;
}

class OpenLoad extends EventEmitter<LoadRunEvents> implements LoadRun {
  readonly model = 'open' as const;
  readonly startMs: number;

  private readonly rate: number;
  private readonly factory: RequestFactory;
  private readonly balancer: Balancer;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly lateThresholdMs: number;
  private readonly connectionsPerTarget: number;
  private readonly rng: () => number;

  private readonly recs: RequestRecord[] = [];
  // Insertion order = dispatch order = schedule order, so the first entry is always the oldest.
  private readonly pending = new Map<number, Pending>();
  private readonly perTarget = new Map<string, number>();
  private readonly pools = new Map<string, PoolEntry>();
  private readonly drainWaiters = new Map<string, Array<() => void>>();
  private readonly window: TickWindow;

  private nextArrival = 0;
  private nextId = 0;
  private readonly picker = new WeightedPicker();
  private halted = false;
  private stopping: Promise<RequestRecord[]> | null = null;
  private loopTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(opts: OpenLoadOptions) {
    super();
    if (!(opts.rate > 0) || !Number.isFinite(opts.rate)) throw new RangeError(`rate must be a positive number, got ${opts.rate}`);
    this.rate = opts.rate;
    this.factory = opts.factory;
    this.balancer = opts.balancer;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxInFlight = opts.maxInFlight ?? 20_000;
    this.lateThresholdMs = opts.lateThresholdMs ?? 50;
    this.connectionsPerTarget = opts.connectionsPerTarget ?? 128;
    this.rng = mulberry32(opts.seed);
    this.window = new TickWindow(this.lateThresholdMs);
    this.startMs = now();
    this.loop();
    this.tickTimer = setInterval(() => this.tick(), 1000);
  }

  records(): readonly RequestRecord[] {
    return this.recs;
  }

  inFlight(): number {
    return this.pending.size;
  }

  inFlightRecords(atMs: number): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (const p of this.pending.values()) {
      out.push({ route: p.route, target: p.target.id, scheduledMs: p.scheduledMs, sentMs: p.sentMs, endMs: atMs, status: p.status, outcome: 'unfinished', wireMs: p.wireMs ?? null });
    }
    return out;
  }

  inFlightTo(targetId: string): number {
    return this.perTarget.get(targetId) ?? 0;
  }

  oldestInFlightMs(): number {
    const oldest = this.pending.values().next();
    return oldest.done ? 0 : now() - oldest.value.scheduledMs;
  }

  whenDrained(targetId: string): Promise<void> {
    if (this.inFlightTo(targetId) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(targetId) ?? [];
      list.push(resolve);
      this.drainWaiters.set(targetId, list);
    });
  }

  stop(opts: StopOptions = {}): Promise<RequestRecord[]> {
    this.stopping ??= this.shutdown(opts.graceMs ?? 0);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<RequestRecord[]> {
    this.halted = true;
    clearTimeout(this.loopTimer);
    // No new arrivals; give the ones in flight a bounded moment to answer on their own.
    const graceEnd = now() + graceMs;
    while (this.pending.size > 0 && now() < graceEnd) await new Promise((r) => setTimeout(r, 10));
    clearInterval(this.tickTimer);
    const stopMs = now();
    const open = [...this.pending.values()];
    // Record before aborting: the abort must not turn a request that was merely slow into an error.
    for (const p of open) this.finish(p, 'unfinished', p.status, stopMs);
    for (const p of open) p.controller?.abort(new Error('load stopped'));
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((e) => e.pool.destroy()));
    return this.recs;
  }

  /** Dispatches every arrival that is due, then sleeps until the next one. */
  private loop(): void {
    this.loopTimer = undefined;
    if (this.halted) return;
    const interval = 1000 / this.rate;
    const targets = this.balancer.inRotation();
    const t = now();
    // After event-loop lag this catches up in one go: those arrivals are late, and say so.
    while (this.startMs + this.nextArrival * interval <= t) {
      this.dispatch(this.startMs + this.nextArrival * interval, targets);
      this.nextArrival++;
    }
    const wait = this.startMs + this.nextArrival * interval - now();
    this.loopTimer = setTimeout(() => this.loop(), Math.max(0, wait));
  }

  private dispatch(scheduledMs: number, targets: readonly LoadTarget[]): void {
    // Always draw the spec so the rng sequence does not depend on drops.
    const spec = this.factory(this.rng);
    const sentMs = now();
    if (this.pending.size >= this.maxInFlight || targets.length === 0) {
      // A real load balancer with no capacity or no healthy backend refuses the user right away.
      this.push({ route: spec.route, target: null, scheduledMs, sentMs, endMs: sentMs, status: 0, outcome: 'dropped' });
      return;
    }
    const target = this.picker.pick(targets);
    const pool = this.poolFor(target);
    const p: Pending = {
      id: this.nextId++,
      route: spec.route,
      target,
      pool,
      scheduledMs,
      sentMs,
      wireMs: undefined,
      status: 0,
      settled: false,
      controller: undefined,
      timer: undefined,
    };
    p.timer = setTimeout(() => this.onTimeout(p), this.timeoutMs);
    this.pending.set(p.id, p);
    this.perTarget.set(target.id, (this.perTarget.get(target.id) ?? 0) + 1);
    pool.inFlight++;
    this.send(p, spec);
  }

  private send(p: Pending, spec: RequestSpec): void {
    const { body, headers } = encodeBody(spec);
    const chunks: Buffer[] = [];
    // dispatch() rather than request(): it tells us when the request got a connection (wireMs) and
    // costs no stream per request. Errors never throw here; they arrive in onResponseError.
    p.pool.pool.dispatch(
      { path: spec.path, method: spec.method, headers, body },
      {
        onRequestStart: (controller) => {
          p.controller = controller;
          p.wireMs = now();
          // Timed out while still queued in our pool: never let it reach the app.
          if (p.settled) controller.abort(new Error('request already settled'));
        },
        onResponseStart: (_controller, statusCode, headers) => {
          p.status = statusCode;
          p.timing = headers[SERVER_TIMING_HEADER];
        },
        onResponseData: (_controller, chunk) => {
          if (p.status >= 500) chunks.push(chunk); // only 5xx bodies are read, for their SQLSTATE
        },
        // Latency ends when the whole response has arrived.
        onResponseEnd: () => {
          if (p.settled) return;
          const sqlstate = p.status >= 500 ? parseSqlstate(Buffer.concat(chunks).toString('utf8')) : undefined;
          this.finish(p, isOkStatus(p.status) ? 'ok' : 'non2xx', p.status, now(), sqlstate);
        },
        onResponseError: (_controller, err) => {
          if (p.settled) return; // already recorded as timeout/unfinished: this is our own abort
          this.finish(p, 'error', p.status, now(), undefined, errorCodeOf(err));
        },
      },
    );
  }

  private onTimeout(p: Pending): void {
    if (p.settled) return;
    // Timers may fire a fraction of a ms early on the monotonic clock; a timeout must mean >= timeoutMs.
    const left = p.sentMs + this.timeoutMs - now();
    if (left > 0) {
      p.timer = setTimeout(() => this.onTimeout(p), left);
      return;
    }
    this.finish(p, 'timeout', p.status, now());
    p.controller?.abort(new Error('request timed out'));
  }

  private finish(p: Pending, outcome: Outcome, status: number, endMs: number, sqlstate?: string, errorCode?: string): void {
    p.settled = true;
    clearTimeout(p.timer);
    this.pending.delete(p.id);
    const rec: RequestRecord = { route: p.route, target: p.target.id, scheduledMs: p.scheduledMs, sentMs: p.sentMs, endMs, status, outcome };
    rec.wireMs = p.wireMs ?? null;
    if (sqlstate !== undefined) rec.sqlstate = sqlstate;
    if (errorCode !== undefined) rec.errorCode = errorCode;
    if (outcome === 'ok' || outcome === 'non2xx') withServerTiming(rec, p.timing);
    this.push(rec);

    p.pool.inFlight--;
    const left = (this.perTarget.get(p.target.id) ?? 1) - 1;
    if (left > 0) {
      this.perTarget.set(p.target.id, left);
      return;
    }
    this.perTarget.delete(p.target.id);
    const waiters = this.drainWaiters.get(p.target.id);
    if (waiters) {
      this.drainWaiters.delete(p.target.id);
      for (const w of waiters) w();
    }
    if (!this.halted && p.pool.inFlight === 0) this.closeIdlePools();
  }

  private push(rec: RequestRecord): void {
    this.recs.push(rec);
    this.window.add(rec);
  }

  private poolFor(target: LoadTarget): PoolEntry {
    let entry = this.pools.get(target.origin);
    if (!entry) {
      entry = {
        origin: target.origin,
        // Our own timer enforces timeoutMs, so undici's header/body timeouts are off.
        pool: new Pool(target.origin, { connections: this.connectionsPerTarget, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 }),
        inFlight: 0,
      };
      this.pools.set(target.origin, entry);
    }
    return entry;
  }

  /** Closes pools of origins that left rotation once nothing is in flight to them. */
  private closeIdlePools(): void {
    const live = new Set(this.balancer.inRotation().map((t) => t.origin));
    for (const [origin, entry] of this.pools) {
      if (entry.inFlight === 0 && !live.has(origin)) {
        this.pools.delete(origin);
        entry.pool.close().catch(() => undefined); // nothing in flight, so a close error affects no request
      }
    }
  }

  private tick(): void {
    this.closeIdlePools();
    let clientQueued = 0;
    for (const e of this.pools.values()) clientQueued += e.pool.stats.pending;
    this.emit(
      'tick',
      this.window.take({
        t: Math.round((now() - this.startMs) / 1000),
        inFlight: this.inFlight(),
        oldestInFlightMs: this.oldestInFlightMs(),
        clientQueued,
      }),
    );
  }
}

/** Starts the open model. Call stop() to end it; nothing is recorded after stop(). */
export const startOpenLoad = (opts: OpenLoadOptions): LoadRun => new OpenLoad(opts);
