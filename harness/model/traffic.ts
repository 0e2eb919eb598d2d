// Pure analysis of request records: the per-second timeline, per-route stalls and traffic summaries.
// Everything is derived from records, so the report shows what users experienced, not what the
// load driver believed. Built to handle millions of records: linear passes, typed arrays.
import * as hdr from 'hdr-histogram-js';
import type { Stall, TimelinePoint, TrafficSummary } from './schema.ts';
import type { RequestRecord } from './records.ts';

const HIGHEST_MS = 3_600_000;

/**
 * Requests whose latency is known: a response, a transport error or our own timeout.
 * 'unfinished' (still running at stop) has no latency yet and shows as inFlight/oldestInFlightMs
 * and in stalls; 'dropped' was never sent.
 */
// A request still in flight when the load stopped counts with its true duration so far
// (endMs = stop time): a request blocked at the end must never vanish from max and p99.
const hasLatency = (r: RequestRecord): boolean => r.outcome !== 'dropped';

/** When a request stops being in flight; 'unfinished' ones never do within the run. */
const inFlightUntil = (r: RequestRecord): number => (r.outcome === 'unfinished' ? Infinity : r.endMs);

const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MS,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
    autoResize: false,
  });

type Histogram = ReturnType<typeof newHistogram>;

interface LatencyStats {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

const NO_LATENCY: LatencyStats = { p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };

/** Percentiles of values[from, to) via the shared histogram; max is exact. */
const latencyStats = (h: Histogram, values: Float64Array, from: number, to: number): LatencyStats => {
  if (to <= from) return NO_LATENCY;
  h.reset();
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (v > max) max = v;
    h.recordValue(Math.min(HIGHEST_MS, Math.max(0, Math.round(v))));
  }
  return {
    p50Ms: h.getValueAtPercentile(50),
    p95Ms: h.getValueAtPercentile(95),
    p99Ms: h.getValueAtPercentile(99),
    maxMs: Math.round(max),
  };
};

export interface InFlightSample {
  inFlight: number;
  oldestInFlightMs: number;
}

export interface SeriesOptions {
  /** Run start: bucket t covers [startMs + t*1000, startMs + (t+1)*1000). */
  startMs: number;
  /** Run end; the last bucket may be partial and its "end of second" is endMs. */
  endMs: number;
  /** Name of the step running at a bucket's start. */
  stepAt: (ms: number) => string | null;
  /** Dispatch later than this after the schedule counts as a late start. Default 50. */
  lateThresholdMs?: number;
  /**
   * Optional override for in-flight at a bucket end (e.g. when records are a sample). Return null
   * to use the value computed from records, which is the default and what the report should use.
   */
  inFlightAt?: (ms: number) => InFlightSample | null;
}

/**
 * One point per second. Completions, errors, timeouts and latency percentiles are bucketed by endMs
 * (a request blocked 2 s shows max≈2000 in the second it finally ended); scheduled, late and dropped
 * by scheduledMs. inFlight/oldestInFlightMs are taken at the end of each second, so a stall is
 * visible while it happens. poolWaiting/lockWaiters are left null for the caller to fill.
 */
export const buildSeries = (records: readonly RequestRecord[], opts: SeriesOptions): TimelinePoint[] => {
  const { startMs, endMs } = opts;
  const late = opts.lateThresholdMs ?? 50;
  const n = Math.max(0, Math.ceil((endMs - startMs) / 1000));
  if (n === 0) return [];
  const bucketEnd = (i: number) => Math.min(startMs + (i + 1) * 1000, endMs);
  // Bucket containing ms, or -1 outside [startMs, endMs]; endMs itself belongs to the last bucket.
  const bucketOf = (ms: number) => (ms < startMs || ms > endMs ? -1 : Math.min(n - 1, Math.floor((ms - startMs) / 1000)));
  // First bucket whose end is at or after ms (n when none). A request is in flight at bucket i's end T
  // (scheduledMs <= T < until) exactly for i in [firstEnd(scheduledMs), firstEnd(until)). In flight
  // from the schedule, not the send: an arrival the driver sent late was already waiting.
  const firstEnd = (ms: number) => (ms > endMs ? n : Math.max(0, Math.min(n - 1, Math.ceil((ms - startMs) / 1000) - 1)));

  const scheduled = new Int32Array(n);
  const completed = new Int32Array(n);
  const ok = new Int32Array(n);
  const non2xx = new Int32Array(n);
  const errors = new Int32Array(n);
  const timeouts = new Int32Array(n);
  const lateStarts = new Int32Array(n);
  const dropped = new Int32Array(n);
  const latCount = new Int32Array(n);
  const endBucket = new Int32Array(records.length).fill(-1);
  const joins = new Int32Array(n + 1); // requests that start being in flight at bucket i's end
  const leaves = new Int32Array(n + 1); // requests no longer in flight from bucket i's end on
  const spanCount = new Int32Array(n); // requests in flight at >= 1 bucket end, by the first one

  for (let k = 0; k < records.length; k++) {
    const r = records[k];
    const sb = bucketOf(r.scheduledMs);
    if (sb >= 0) {
      scheduled[sb]++;
      if (r.outcome === 'dropped') dropped[sb]++;
      else if (r.sentMs - r.scheduledMs > late) lateStarts[sb]++;
    }
    if (r.outcome === 'dropped') continue;
    const eb = hasLatency(r) ? bucketOf(r.endMs) : -1;
    if (eb >= 0) {
      if (r.outcome === 'ok') ok[eb]++;
      else if (r.outcome === 'non2xx') non2xx[eb]++;
      else if (r.outcome === 'error') errors[eb]++;
      else if (r.outcome === 'timeout') timeouts[eb]++;
      if (r.outcome === 'ok' || r.outcome === 'non2xx') completed[eb]++;
      endBucket[k] = eb;
      latCount[eb]++;
    }
    const from = firstEnd(r.scheduledMs);
    const gone = firstEnd(inFlightUntil(r));
    if (from < n && gone > from) {
      joins[from]++;
      leaves[gone]++;
      spanCount[from]++;
    }
  }

  // Latencies grouped by end bucket, contiguous per bucket (counting sort, no comparison sort).
  const latOffset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) latOffset[i + 1] = latOffset[i] + latCount[i];
  const lat = new Float64Array(latOffset[n]);
  const latFill = latOffset.slice();
  for (let k = 0; k < records.length; k++) {
    const eb = endBucket[k];
    if (eb >= 0) lat[latFill[eb]++] = records[k].endMs - records[k].scheduledMs;
  }

  // Requests in flight at some bucket end, grouped by the first one; usually a small minority.
  const spanOffset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) spanOffset[i + 1] = spanOffset[i] + spanCount[i];
  const spans = new Int32Array(spanOffset[n]);
  const spanFill = spanOffset.slice();
  for (let k = 0; k < records.length; k++) {
    const r = records[k];
    if (r.outcome === 'dropped') continue;
    const from = firstEnd(r.scheduledMs);
    if (from < n && firstEnd(inFlightUntil(r)) > from) spans[spanFill[from]++] = k;
  }

  // Oldest in flight: min-heap on scheduledMs with lazy removal of requests that have ended.
  const heap = new MinHeap((k) => records[k].scheduledMs);
  const h = newHistogram();
  const points: TimelinePoint[] = [];
  let inFlight = 0;
  for (let i = 0; i < n; i++) {
    const T = bucketEnd(i);
    inFlight += joins[i] - leaves[i];
    for (let j = spanOffset[i]; j < spanOffset[i + 1]; j++) heap.push(spans[j]);
    while (heap.size > 0 && !(inFlightUntil(records[heap.peek()]) > T)) heap.pop();
    let sample: InFlightSample = { inFlight, oldestInFlightMs: heap.size > 0 ? Math.max(0, T - records[heap.peek()].scheduledMs) : 0 };
    sample = opts.inFlightAt?.(T) ?? sample;
    const bucketStart = startMs + i * 1000;
    points.push({
      t: i,
      step: opts.stepAt(bucketStart),
      scheduled: scheduled[i],
      completed: completed[i],
      ok: ok[i],
      non2xx: non2xx[i],
      errors: errors[i],
      timeouts: timeouts[i],
      lateStarts: lateStarts[i],
      dropped: dropped[i],
      ...latencyStats(h, lat, latOffset[i], latOffset[i + 1]),
      inFlight: sample.inFlight,
      oldestInFlightMs: Math.round(sample.oldestInFlightMs),
      poolWaiting: null,
      lockWaiters: null,
    });
  }
  return points;
};

export interface StallOptions {
  /** Run end: requests still in flight then (including 'unfinished') stall until here. */
  endMs: number;
  /** Shorter windows are not stalls. Default 200. */
  minMs?: number;
}

/**
 * Per route, a stall is a maximal window during which at least one request of the route was in
 * flight (from its scheduled arrival, like its latency) and none of the route got a response (ok or non2xx). Timeouts and transport errors end
 * their request's flight but are not responses, so they do not end a stall. Per route on purpose:
 * a lock that blocks only writes must show as a write stall while reads keep completing.
 * Sorted by duration, longest first; step/statement are null for the caller to attribute.
 */
export const findStalls = (records: readonly RequestRecord[], opts: StallOptions): Stall[] => {
  const minMs = opts.minMs ?? 200;
  const horizon = opts.endMs;
  const byRoute = new Map<string, number[]>();
  for (let k = 0; k < records.length; k++) {
    const r = records[k];
    if (r.outcome === 'dropped' || r.scheduledMs > horizon) continue;
    let list = byRoute.get(r.route);
    if (!list) byRoute.set(r.route, (list = []));
    list.push(k);
  }

  const stalls: Stall[] = [];
  for (const [route, idx] of byRoute) {
    const starts = new Float64Array(idx.length);
    let nResp = 0;
    let nOther = 0;
    for (const k of idx) if (records[k].outcome === 'ok' || records[k].outcome === 'non2xx') nResp++;
    const responses = new Float64Array(nResp);
    const otherEnds = new Float64Array(idx.length - nResp);
    nResp = 0;
    for (let j = 0; j < idx.length; j++) {
      const r = records[idx[j]];
      starts[j] = r.scheduledMs; // the user waits from the arrival, even if the driver sent it late
      if (r.outcome === 'ok' || r.outcome === 'non2xx') responses[nResp++] = r.endMs;
      else otherEnds[nOther++] = inFlightUntil(r);
    }
    starts.sort();
    responses.sort();
    otherEnds.sort();

    let inFlight = 0;
    let since = NaN; // start of the current window without a response, while something is in flight
    const emit = (end: number) => {
      if (end - since >= minMs) {
        stalls.push({ route, startMs: since, endMs: end, durationMs: end - since, step: null, statement: null });
      }
    };
    let a = 0;
    let b = 0;
    let c = 0;
    for (;;) {
      const ta = a < starts.length ? starts[a] : Infinity;
      const tb = b < responses.length ? responses[b] : Infinity;
      const tc = c < otherEnds.length ? otherEnds[c] : Infinity;
      const t = Math.min(ta, tb, tc);
      if (t > horizon) break;
      // At equal times starts go first, so a timeout and a new send at the same instant do not split a window.
      if (ta === t) {
        a++;
        if (inFlight++ === 0) since = t;
      } else if (tb === t) {
        b++;
        inFlight--;
        emit(t);
        since = inFlight > 0 ? t : NaN;
      } else {
        c++;
        if (--inFlight === 0) {
          emit(t);
          since = NaN;
        }
      }
    }
    if (inFlight > 0) emit(horizon);
  }
  return stalls.sort((x, y) => y.durationMs - x.durationMs);
};

/**
 * Stalls as counted from `fromMs` on (the end of warm-up): a window that ended before is dropped,
 * one that began before is cut there and marked, so a stall reaching into the first step is
 * counted for its part after warm-up, never hidden. Longest first.
 */
export const stallsFrom = <S extends { startMs: number; endMs: number; durationMs: number }>(stalls: readonly S[], fromMs: number): (S & { beganInWarmup?: true })[] =>
  stalls
    .filter((s) => s.endMs > fromMs)
    .map((s) => (s.startMs >= fromMs ? s : { ...s, startMs: fromMs, durationMs: s.endMs - fromMs, beganInWarmup: true as const }))
    .sort((a, b) => b.durationMs - a.durationMs);

/** TrafficSummary plus arrivals the open model refused (counted in errorRate). */
export interface LoadTrafficSummary extends TrafficSummary {
  dropped: number;
}

/**
 * Traffic of the requests *scheduled* in [fromMs, toMs), e.g. while a step ran. errorRate counts
 * everything a user would call a failure: (non2xx + errors + timeouts + unfinished + dropped) / requests.
 * Percentiles cover requests with a known latency (see hasLatency).
 */
export const summarizeTraffic = (records: readonly RequestRecord[], fromMs: number, toMs: number): LoadTrafficSummary => {
  let requests = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let unfinished = 0;
  let dropped = 0;
  let nLat = 0;
  for (const r of records) {
    if (r.scheduledMs < fromMs || r.scheduledMs >= toMs) continue;
    if (hasLatency(r)) nLat++;
  }
  const lat = new Float64Array(nLat);
  nLat = 0;
  for (const r of records) {
    if (r.scheduledMs < fromMs || r.scheduledMs >= toMs) continue;
    requests++;
    switch (r.outcome) {
      case 'ok':
        completed++;
        break;
      case 'non2xx':
        completed++;
        non2xx++;
        break;
      case 'error':
        errors++;
        break;
      case 'timeout':
        timeouts++;
        break;
      case 'unfinished':
        unfinished++;
        break;
      case 'dropped':
        dropped++;
        break;
    }
    if (hasLatency(r)) lat[nLat++] = r.endMs - r.scheduledMs;
  }
  // 'unfinished' is not a failure: it had no answer yet. It counts in latency and stalls instead.
  const failures = non2xx + errors + timeouts + dropped;
  return {
    requests,
    completed,
    non2xx,
    errors,
    timeouts,
    unfinished,
    dropped,
    ...latencyStats(newHistogram(), lat, 0, lat.length),
    errorRate: requests > 0 ? failures / requests : 0,
  };
};

/** Count of requests per SQLSTATE reported in 5xx bodies. */
export const errorsBySqlstate = (records: readonly RequestRecord[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of records) if (r.sqlstate !== undefined) out[r.sqlstate] = (out[r.sqlstate] ?? 0) + 1;
  return out;
};

/**
 * Requests that waited longer than thresholdMs inside the load driver for a free connection
 * (open model), including ones that never got one before they timed out or the run stopped.
 * Non-zero means part of the measured latency is the driver's, not the app's: raise connectionsPerTarget.
 */
export const driverQueueing = (records: readonly RequestRecord[], thresholdMs = 50): number => {
  let n = 0;
  for (const r of records) {
    if (r.wireMs === undefined || r.outcome === 'dropped') continue;
    if (r.wireMs === null ? r.outcome !== 'error' && r.endMs - r.sentMs > thresholdMs : r.wireMs - r.sentMs > thresholdMs) n++;
  }
  return n;
};

class MinHeap {
  private items: number[] = [];
  constructor(private readonly key: (item: number) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): number {
    return this.items[0];
  }
  push(item: number): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    const k = this.key(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(a[parent]) <= k) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = item;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      const k = this.key(last);
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (c + 1 < a.length && this.key(a[c + 1]) < this.key(a[c])) c++;
        if (this.key(a[c]) >= k) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
