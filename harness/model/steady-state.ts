// Steady state: when the load has warmed up (cold app processes, empty pools, JIT), what the
// service's rate and latency are then, and whether two variants started from comparable ones.
// Pure: the runner feeds it the live records while warming up, the result builder the final ones.
import type { RequestRecord } from './records.ts';
import type { BaselineCheck, SteadyCriteria, SteadyState, VariantResult } from './schema.ts';
import { summarizeTraffic } from './traffic.ts';

/**
 * Chosen from cold starts measured on a 2-core machine (DESIGN.md, "Warm-up"): the first 1–3
 * seconds after a cold start have p99 of 20–350 ms, later seconds jitter between 3 and 20 ms.
 */
export const DEFAULT_STEADY_CRITERIA: SteadyCriteria = {
  // Three seconds in a row: one calm second after a cold one happens by chance.
  windowSeconds: 3,
  // A warming app improves by several × per second; a steady one jitters by less than 2×…
  maxRatio: 2,
  // …or by a few ms at low latency (3 → 9 ms is jitter, not warming).
  slackMs: 10,
  // An app that has not settled after this long will not; say so rather than wait forever.
  capMs: 30_000,
};

/** Nearest-rank p99 of a small sample (sorted in place). */
const p99Of = (values: number[]): number => {
  values.sort((a, b) => a - b);
  return values[Math.max(0, Math.ceil(values.length * 0.99) - 1)]!;
};

/**
 * p99 of the requests scheduled in each of the `seconds` one-second windows that end at nowMs,
 * oldest first; null for a window without an answered request. Records arrive in completion order,
 * so only their tail is read.
 */
export const recentSecondP99s = (records: readonly RequestRecord[], nowMs: number, seconds: number): (number | null)[] => {
  const from = nowMs - seconds * 1000;
  const buckets: number[][] = Array.from({ length: seconds }, () => []);
  for (let k = records.length - 1; k >= 0; k--) {
    const r = records[k]!;
    // Scheduled before it ended, so before the window too; the margin covers records pushed a little out of order.
    if (r.endMs < from - 100) break;
    if (r.outcome === 'dropped' || r.scheduledMs < from || r.scheduledMs >= nowMs) continue;
    buckets[Math.floor((r.scheduledMs - from) / 1000)]!.push(r.endMs - r.scheduledMs);
  }
  return buckets.map((b) => (b.length ? p99Of(b) : null));
};

/** The band's upper edge for a window whose best second had p99 `lowMs`. */
export const bandTop = (lowMs: number, c: SteadyCriteria): number => Math.max(lowMs * c.maxRatio, lowMs + c.slackMs);

/**
 * Steady when every second of the window has a p99 inside the band above the best one, and no
 * request still in flight is older than the band allows (one blocked request is not steady).
 */
export const isSteady = (p99s: (number | null)[], oldestInFlightMs: number, c: SteadyCriteria): boolean => {
  if (p99s.length < c.windowSeconds || p99s.some((p) => p === null)) return false;
  const values = p99s as number[];
  const top = bandTop(Math.min(...values), c);
  return Math.max(...values) <= top && oldestInFlightMs <= top;
};

/** Rate and latency of the requests scheduled in [fromMs, toMs) (monotonic), reported run-relative. */
export const steadyStateOf = (records: readonly RequestRecord[], fromMs: number, toMs: number, runStartMs: number, settled: boolean): SteadyState => {
  const t = summarizeTraffic(records, fromMs, toMs);
  const seconds = Math.max(0.001, (toMs - fromMs) / 1000);
  return {
    fromMs: Math.round(fromMs - runStartMs),
    toMs: Math.round(toMs - runStartMs),
    requestsPerSec: Math.round(((t.completed - t.non2xx) / seconds) * 10) / 10,
    p50Ms: t.p50Ms,
    p99Ms: t.p99Ms,
    settled,
  };
};

/** Two steady states further apart than this make a comparison of their variants unreliable. */
export const BASELINE_TOLERANCE: BaselineCheck['tolerance'] = {
  // Same load on the same machine: a p99 more than 2× apart means the machine, not the plan, differed…
  maxP99Ratio: 2,
  // …unless both are small (8 vs 17 ms is scheduling jitter on a busy laptop).
  p99SlackMs: 10,
  // Both variants get the same arrival rate; serving 10 % less means one could not keep up.
  maxRateDiff: 0.1,
};

/** Whether the variants' steady states are close enough that their differences are the migration's. */
export const compareBaselines = (variants: readonly Pick<VariantResult, 'variant' | 'steadyState' | 'warmup'>[], tol = BASELINE_TOLERANCE): BaselineCheck => {
  const reasons: string[] = [];
  if (variants.length < 2) return { comparable: null, tolerance: tol, reasons };
  const missing = variants.filter((v) => !v.steadyState);
  for (const v of missing) reasons.push(`${v.variant} has no steady state (${v.warmup?.mode === 'off' ? 'warm-up was off' : 'not measured'})`);
  const measured = variants.filter((v) => v.steadyState);
  for (const v of measured) {
    if (!v.steadyState!.settled) reasons.push(`${v.variant} never reached a steady state during its ${Math.round((v.warmup?.durationMs ?? 0) / 1000)} s warm-up`);
  }
  let apart = false;
  const withP99 = measured.filter((v) => v.steadyState!.p99Ms !== null);
  if (withP99.length >= 2) {
    const lo = withP99.reduce((a, v) => (v.steadyState!.p99Ms! < a.steadyState!.p99Ms! ? v : a));
    const hi = withP99.reduce((a, v) => (v.steadyState!.p99Ms! > a.steadyState!.p99Ms! ? v : a));
    const l = lo.steadyState!.p99Ms!;
    const h = hi.steadyState!.p99Ms!;
    if (h > Math.max(l * tol.maxP99Ratio, l + tol.p99SlackMs)) {
      apart = true;
      reasons.push(`steady-state p99 differs: ${hi.variant} ${Math.round(h)} ms vs ${lo.variant} ${Math.round(l)} ms (more than ${tol.maxP99Ratio}× and ${tol.p99SlackMs} ms apart)`);
    }
  }
  if (measured.length >= 2) {
    const rates = measured.map((v) => v.steadyState!.requestsPerSec);
    const hi = Math.max(...rates);
    const lo = Math.min(...rates);
    if (hi > 0 && (hi - lo) / hi > tol.maxRateDiff) {
      apart = true;
      const name = (r: number) => measured.find((v) => v.steadyState!.requestsPerSec === r)!.variant;
      reasons.push(`steady-state rate differs: ${name(hi)} ${hi} req/s vs ${name(lo)} ${lo} req/s (more than ${Math.round(tol.maxRateDiff * 100)} % apart)`);
    }
  }
  const unsettled = measured.some((v) => !v.steadyState!.settled);
  const comparable = apart || unsettled ? false : missing.length ? null : true;
  return { comparable, tolerance: tol, reasons };
};
