// Closed load model on autocannon: each connection sends its next request only after the previous
// one ended, so a stall slows the load down. autocannon's own latency summary therefore hides
// stalls; we ignore it and record every request ourselves from the per-client events.
import { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import { now } from '../clock.ts';
import { encodeBody, errorCodeOf, isOkStatus, parseSqlstate, withServerTiming } from './http-util.ts';
import { TickWindow } from './live-tick.ts';
import { mulberry32 } from './rng.ts';
import { shareConnections } from './weighted.ts';
import type { IncomingHttpHeaders } from 'node:http';
import { SERVER_TIMING_HEADER } from '../app/server-timing.ts';
import type { Outcome, RequestRecord } from '../model/records.ts';
import type { Balancer, LoadRun, LoadRunEvents, LoadTarget, RequestFactory, StopOptions } from './types.ts';

export interface ClosedLoadOptions {
  /** Concurrent connections in total, split across the targets in rotation. */
  connections: number;
  factory: RequestFactory;
  balancer: Balancer;
  /** autocannon counts timeouts in (fractional) seconds and needs at least 1 s. Default 30000. */
  timeoutMs?: number;
  seed: number;
  /** How often rotation changes are picked up. Default 100. */
  reconcileMs?: number;
}

/** The autocannon Client internals we rely on (autocannon 9, lib/httpClient.js). */
interface CannonClient extends autocannon.Client {
  reqsMade: number;
  responseMax: number | undefined;
  destroyed: boolean;
  destroy(): void;
}

interface Outstanding {
  route: string;
  sentMs: number;
  settled: boolean;
}

interface ClientState {
  target: LoadTarget;
  client: CannonClient;
  queue: Outstanding[]; // pipelining is 1, so normally 0 or 1 entries
  draining: boolean;
  done: boolean;
}

// autocannon caps its duration with a setTimeout; stay below the 2^31 ms limit. We stop it ourselves.
const FOREVER_S = 20 * 24 * 3600;

class ClosedLoad extends EventEmitter<LoadRunEvents> implements LoadRun {
  readonly model = 'closed' as const;
  readonly startMs: number;

  private readonly connections: number;
  private readonly factory: RequestFactory;
  private readonly balancer: Balancer;
  private readonly timeoutS: number;
  private readonly rng: () => number;
  private readonly recs: RequestRecord[] = [];
  private readonly window = new TickWindow();
  private readonly clients = new Set<ClientState>();
  private readonly instances = new Set<Promise<void>>();
  private readonly drainWaiters = new Map<string, Array<() => void>>();
  // onResponse runs synchronously right before the client's 'response' event: hand the body over.
  private lastBody = '';
  private lastTiming: string | string[] | undefined;
  private readonly captureBody = (_status: number, body: string, _context: object, headers?: IncomingHttpHeaders) => {
    this.lastBody = body;
    // autocannon keeps the header names as the server wrote them
    const name = headers && Object.keys(headers).find((k) => k.toLowerCase() === SERVER_TIMING_HEADER);
    this.lastTiming = name ? headers[name] : undefined;
  };

  private halted = false;
  private stopping: Promise<RequestRecord[]> | null = null;
  private readonly reconcileTimer: NodeJS.Timeout;
  private readonly tickTimer: NodeJS.Timeout;

  constructor(opts: ClosedLoadOptions) {
    super();
    if (!(opts.connections >= 1)) throw new RangeError(`connections must be >= 1, got ${opts.connections}`);
    this.connections = Math.floor(opts.connections);
    this.factory = opts.factory;
    this.balancer = opts.balancer;
    this.timeoutS = Math.max(1, (opts.timeoutMs ?? 30_000) / 1000);
    this.rng = mulberry32(opts.seed);
    this.startMs = now();
    this.reconcile();
    this.reconcileTimer = setInterval(() => this.reconcile(), opts.reconcileMs ?? 100);
    this.tickTimer = setInterval(() => this.tick(), 1000);
  }

  records(): readonly RequestRecord[] {
    return this.recs;
  }

  inFlight(): number {
    let n = 0;
    for (const s of this.clients) for (const e of s.queue) if (!e.settled) n++;
    return n;
  }

  inFlightRecords(atMs: number): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (const s of this.clients) {
      for (const e of s.queue) if (!e.settled) out.push({ route: e.route, target: s.target.id, scheduledMs: e.sentMs, sentMs: e.sentMs, endMs: atMs, status: 0, outcome: 'unfinished' });
    }
    return out;
  }

  inFlightTo(targetId: string): number {
    let n = 0;
    for (const s of this.clients) if (s.target.id === targetId) for (const e of s.queue) if (!e.settled) n++;
    return n;
  }

  oldestInFlightMs(): number {
    let oldest = Infinity;
    for (const s of this.clients) for (const e of s.queue) if (!e.settled && e.sentMs < oldest) oldest = e.sentMs;
    return oldest === Infinity ? 0 : now() - oldest;
  }

  /** Resolves once no client for the target is running and none of its requests is outstanding. */
  whenDrained(targetId: string): Promise<void> {
    this.reconcile(); // act on a rotation change now rather than at the next interval
    if (this.isDrained(targetId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(targetId) ?? [];
      list.push(resolve);
      this.drainWaiters.set(targetId, list);
    });
  }

  /** graceMs is ignored: in a closed loop every connection always has a request outstanding. */
  stop(_opts: StopOptions = {}): Promise<RequestRecord[]> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<RequestRecord[]> {
    this.halted = true;
    clearInterval(this.reconcileTimer);
    clearInterval(this.tickTimer);
    const stopMs = now();
    // Record first: destroying the connections must not erase what was still waiting.
    for (const s of this.clients) {
      for (const e of s.queue) if (!e.settled) this.settle(s, e, 'unfinished', 0, stopMs);
      s.queue.length = 0;
    }
    for (const s of this.clients) s.client.destroy();
    // autocannon finishes an instance on its next sample tick (reconcile uses sampleInt 100 ms).
    await Promise.race([Promise.allSettled([...this.instances]), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.clients.clear();
    for (const list of this.drainWaiters.values()) for (const w of list) w();
    this.drainWaiters.clear();
    return this.recs;
  }

  /** Keeps `connections` spread over the targets in rotation, draining and adding clients as it changes. */
  private reconcile(): void {
    if (this.halted) return;
    const targets = this.balancer.inRotation();
    const shares = shareConnections(this.connections, targets);
    const want = new Map<string, number>();
    targets.forEach((t, i) => want.set(key(t), shares[i]!));

    const active = new Map<string, ClientState[]>();
    for (const s of this.clients) {
      if (s.draining || s.done) continue;
      const k = key(s.target);
      if (!want.has(k)) {
        this.drain(s);
        continue;
      }
      const list = active.get(k) ?? [];
      list.push(s);
      active.set(k, list);
    }
    for (const t of targets) {
      const k = key(t);
      const have = active.get(k) ?? [];
      const need = (want.get(k) ?? 0) - have.length;
      if (need > 0) this.startClients(t, need);
      else for (const s of have.slice(have.length + need)) this.drain(s);
    }
  }

  /** Lets the client finish its current request, then close (autocannon's responseMax check). */
  private drain(s: ClientState): void {
    s.draining = true;
    s.client.responseMax = Math.max(1, s.client.reqsMade);
  }

  private startClients(target: LoadTarget, connections: number): void {
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    this.instances.add(finished);
    finished.then(() => this.instances.delete(finished));
    autocannon(
      {
        url: target.origin,
        connections,
        pipelining: 1,
        duration: FOREVER_S,
        timeout: this.timeoutS,
        sampleInt: 100,
        // Replaced before each send by the 'request' handler; only used to build the client.
        requests: [{ method: 'GET', path: '/' }],
        setupClient: (client) => this.adopt(client as CannonClient, target),
      },
      () => finish(),
    );
  }

  private adopt(client: CannonClient, target: LoadTarget): void {
    const s: ClientState = { target, client, queue: [], draining: false, done: false };
    this.clients.add(s);
    const events: NodeJS.EventEmitter = client; // @types/autocannon lists only some of the client's events

    events.on('request', () => {
      if (this.halted) return;
      // pipelining is 1: anything still outstanding means autocannon reconnected and re-sent
      // (server closed the connection, or a timeout that is reported right after this event).
      if (s.queue.length > 0) this.orphan(s, s.queue.slice(), 'CONNECTION_CLOSED');
      const spec = this.factory(this.rng);
      const { body, headers } = encodeBody(spec);
      client.setRequests([{ method: spec.method, path: spec.path, headers, ...(body === undefined ? {} : { body }), onResponse: this.captureBody }]);
      s.queue.push({ route: spec.route, sentMs: now(), settled: false });
    });
    events.on('response', (status: number) => {
      const e = oldest(s);
      if (!e || this.halted) return;
      const sqlstate = status >= 500 ? parseSqlstate(this.lastBody) : undefined;
      this.settle(s, e, isOkStatus(status) ? 'ok' : 'non2xx', status, now(), sqlstate, undefined, this.lastTiming);
      this.lastTiming = undefined;
    });
    events.on('timeout', () => {
      const e = oldest(s);
      if (e && !this.halted) this.settle(s, e, 'timeout', 0, now());
    });
    events.on('connError', (err: unknown) => {
      const e = oldest(s);
      if (e && !this.halted) this.settle(s, e, 'error', 0, now(), undefined, errorCodeOf(err));
    });
    events.on('done', () => {
      s.done = true;
      // A request lost when the client closed (e.g. a reconnect while draining) is an error, unless
      // autocannon reports it as a timeout in the same tick; hence the microtask in orphan().
      this.orphan(s, s.queue.slice(), 'CONNECTION_CLOSED');
    });
  }

  /** Records entries still unsettled after the current synchronous autocannon callback chain as errors. */
  private orphan(s: ClientState, entries: Outstanding[], code: string): void {
    const at = now();
    queueMicrotask(() => {
      for (const e of entries) if (!e.settled && !this.halted) this.settle(s, e, 'error', 0, at, undefined, code);
      s.queue = s.queue.filter((e) => !e.settled);
      if (s.done && s.queue.length === 0) {
        this.clients.delete(s);
        this.checkDrained(s.target.id);
      }
    });
  }

  private settle(s: ClientState, e: Outstanding, outcome: Outcome, status: number, endMs: number, sqlstate?: string, errorCode?: string, timing?: string | string[]): void {
    e.settled = true;
    const rec: RequestRecord = withServerTiming({ route: e.route, target: s.target.id, scheduledMs: e.sentMs, sentMs: e.sentMs, endMs, status, outcome }, timing);
    if (sqlstate !== undefined) rec.sqlstate = sqlstate;
    if (errorCode !== undefined) rec.errorCode = errorCode;
    this.recs.push(rec);
    this.window.add(rec);
  }

  private isDrained(targetId: string): boolean {
    for (const s of this.clients) {
      if (s.target.id !== targetId) continue;
      if (!s.done || s.queue.some((e) => !e.settled)) return false;
    }
    return true;
  }

  private checkDrained(targetId: string): void {
    const waiters = this.drainWaiters.get(targetId);
    if (!waiters || !this.isDrained(targetId)) return;
    this.drainWaiters.delete(targetId);
    for (const w of waiters) w();
  }

  private tick(): void {
    this.emit(
      'tick',
      this.window.take({
        t: Math.round((now() - this.startMs) / 1000),
        inFlight: this.inFlight(),
        oldestInFlightMs: this.oldestInFlightMs(),
        clientQueued: 0, // each connection waits for its own response; nothing queues in the driver
      }),
    );
  }
}

const key = (t: LoadTarget) => `${t.id} ${t.origin}`;

/** Oldest outstanding request of a client, removed from its queue. */
const oldest = (s: ClientState): Outstanding | undefined => {
  let e = s.queue.shift();
  while (e && e.settled) e = s.queue.shift();
  return e;
};

/** Starts the closed model; `connections` stay constant in total while the rotation changes. */
export const startClosedLoad = (opts: ClosedLoadOptions): LoadRun => new ClosedLoad(opts);
