// Warm-up, steady state, slow start and CPU in words, shared by the console and the HTML so both
// say the same thing about how trustworthy a variant's numbers are.
import type { VariantResult } from '../model/schema.ts';
import { fmtDuration, fmtMs } from './format-units.ts';

const cores = (x: number | null | undefined): string => (typeof x === 'number' ? x.toFixed(2) : 'not measured');

/** "7.2 s, auto: steady (not counted); steady state 219 req/s, p99 28 ms" */
export const warmupText = (v: VariantResult): string => {
  const w = v.warmup;
  if (!w) return 'not recorded (older report)';
  if (w.mode === 'off') return 'off (--warmup 0): the first step starts cold, and there is no steady state to compare with';
  const how = w.mode === 'auto'
    ? w.settled ? `until p99 was steady for ${w.criteria.windowSeconds} s` : `not steady within the ${Math.round(w.criteria.capMs / 1000)} s cap`
    : `fixed${w.settled ? ', steady at its end' : ', not steady at its end'}`;
  const ss = v.steadyState;
  const steady = ss ? `; steady state ${ss.requestsPerSec} req/s, p99 ${fmtMs(ss.p99Ms)}` : '';
  return `${fmtDuration(w.durationMs)} (${how}), not counted in any step, summary or budget${steady}`;
};

/** "steady state: harness 0.25, apps 0.26, Postgres 0.12, other processes 0.09 of 2 cores; saturated 3 s after warm-up" */
export const cpuText = (v: VariantResult): string => {
  const c = v.cpu;
  if (!c) return 'not measured';
  if (!c.machine.some((x) => x !== null)) return 'machine CPU not measured';
  const after = c.saturatedSeconds.filter((t) => t + 1 > (v.warmup?.endMs ?? 0) / 1000).length;
  const ss = c.steadyState;
  const steady = ss ? `steady state: harness ${cores(ss.harness)}, apps ${cores(ss.apps)}, Postgres ${cores(ss.postgres)}, other processes ${cores(ss.other)} of ${c.cores} cores; ` : '';
  return `${steady}machine saturated (≥ ${Math.round(c.saturationThreshold * 100)} % busy) ${after} s after warm-up`;
};

/** "harness event-loop lag p99 3 ms, max 41 ms" (how late the load driver's own clock readings can be). */
export const harnessLagText = (v: VariantResult): string => {
  const d = v.observer?.eventLoopDelay;
  return d ? `harness event-loop lag p99 ${fmtDuration(d.p99Ms)}, max ${fmtDuration(d.maxMs)}` : 'harness event-loop lag not measured';
};

/** "slow start 10 s" / "slow start off" */
export const slowStartText = (v: VariantResult): string => {
  const ms = v.load?.slowStartMs;
  if (ms === undefined) return 'slow start not recorded';
  return ms > 0 ? `slow start ${fmtDuration(ms)}` : 'slow start off';
};

/** For a card: "after warm-up; steady state: harness 0.21 · apps 0.32 · Postgres 0.10 · other 0.30 of 2 cores" */
export const cpuBrief = (v: VariantResult): string => {
  const c = v.cpu;
  const ss = c?.steadyState;
  if (!c || !ss) return 'after warm-up';
  return `after warm-up; before the first step: harness ${cores(ss.harness)} · apps ${cores(ss.apps)} · Postgres ${cores(ss.postgres)} · other ${cores(ss.other)} of ${c.cores} cores`;
};
