// CPU use per second, from the sampler's cumulative counters: the whole machine, and each
// component (harness, app instances, Postgres). A saturated second is one in which the machine
// had (almost) no CPU left: latency measured then says more about the machine than the migration.
// Pure: no I/O.
import type { CpuComponentRef, CpuSample } from './records.ts';
import type { CpuComponent, CpuUse } from './schema.ts';

/** A second counts as saturated from this busy share of all cores (steal included). */
export const SATURATION_THRESHOLD = 0.9;

type Counter = (s: CpuSample) => number | undefined;

/**
 * How much of a cumulative counter accrued in [fromMs, toMs), assuming an even pace between two
 * samples, and how much of the window was covered by pairs of samples that both had the counter.
 */
const usage = (samples: readonly CpuSample[], get: Counter, fromMs: number, toMs: number): { amount: number; coveredMs: number } => {
  let amount = 0;
  let coveredMs = 0;
  // Samples are in time order: start at the last one before the window.
  let lo = 0;
  let hi = samples.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (samples[mid]!.t <= fromMs) lo = mid;
    else hi = mid - 1;
  }
  for (let i = Math.max(1, lo); i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a.t >= toMs) break;
    const overlap = Math.min(b.t, toMs) - Math.max(a.t, fromMs);
    if (overlap <= 0 || b.t <= a.t) continue;
    const va = get(a);
    const vb = get(b);
    if (va === undefined || vb === undefined) continue;
    // A counter never goes back; a smaller value is a process that left the tree before it was reaped.
    amount += (Math.max(0, vb - va) * overlap) / (b.t - a.t);
    coveredMs += overlap;
  }
  return { amount, coveredMs };
};

export interface CpuUseInput {
  samples: readonly CpuSample[];
  components: readonly CpuComponentRef[];
  cores: number;
  intervalMs: number;
  /** Monotonic run window; per-second values line up with the timeline (bucket t = [start + t s, …)). */
  runStartMs: number;
  runEndMs: number;
  /** Monotonic window of the steady state, if there was one. */
  steady: { fromMs: number; toMs: number } | null;
  threshold?: number;
}

export function cpuUse(input: CpuUseInput): CpuUse {
  const { samples, runStartMs, runEndMs, cores } = input;
  const threshold = input.threshold ?? SATURATION_THRESHOLD;
  const n = Math.max(0, Math.ceil((runEndMs - runStartMs) / 1000));
  const bucket = (i: number): [number, number] => [runStartMs + i * 1000, Math.min(runStartMs + (i + 1) * 1000, runEndMs)];

  const busyShare = (from: number, to: number): number | null => {
    const busy = usage(samples, (s) => s.machine?.busy, from, to);
    const total = usage(samples, (s) => s.machine?.total, from, to);
    // Less than half the second covered is not a measurement of that second.
    if (total.coveredMs < (to - from) / 2 || total.amount <= 0) return null;
    return Math.min(1, busy.amount / total.amount);
  };
  const coresOf = (name: string, from: number, to: number): number | null => {
    const u = usage(samples, (s) => s.components[name], from, to);
    return u.coveredMs > 0 ? u.amount / ((to - from) / 1000) : null;
  };

  const shares = Array.from({ length: n }, (_, i) => busyShare(...bucket(i)));
  const machine = shares.map((s) => (s === null ? null : round(s * cores)));
  const saturatedSeconds = shares.flatMap((s, i) => (s !== null && s >= threshold ? [i] : []));
  const components: CpuComponent[] = input.components.map((c) => ({
    ...c,
    cores: Array.from({ length: n }, (_, i) => {
      const v = coresOf(c.name, ...bucket(i));
      return v === null ? null : round(v);
    }),
    cpuSeconds: round(usage(samples, (s) => s.components[c.name], runStartMs, runEndMs).amount),
  }));

  let steadyState: CpuUse['steadyState'] = null;
  if (input.steady && input.steady.toMs > input.steady.fromMs) {
    const { fromMs, toMs } = input.steady;
    const secs = (toMs - fromMs) / 1000;
    const sumKind = (kind: CpuComponentRef['kind']): number | null => {
      let sum = 0;
      let any = false;
      for (const c of input.components.filter((x) => x.kind === kind)) {
        const u = usage(samples, (s) => s.components[c.name], fromMs, toMs);
        if (u.coveredMs > 0) {
          any = true;
          sum += u.amount;
        }
      }
      return any ? round(sum / secs) : null;
    };
    const share = busyShare(fromMs, toMs);
    const m = share === null ? null : round(share * cores);
    const harness = sumKind('harness');
    const apps = sumKind('app');
    const postgres = sumKind('postgres');
    const ours = harness !== null && apps !== null && postgres !== null ? harness + apps + postgres : null;
    steadyState = {
      harness, apps, postgres, machine: m,
      other: m !== null && ours !== null ? round(Math.max(0, m - ours)) : null,
      saturatedSeconds: saturatedSeconds.filter((t) => runStartMs + (t + 1) * 1000 > fromMs && runStartMs + t * 1000 < toMs).length,
    };
  }
  return { cores, intervalMs: input.intervalMs, saturationThreshold: threshold, machine, components, saturatedSeconds, steadyState };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Saturated seconds overlapping a run-relative window, e.g. a step. */
export const saturatedWithin = (cpu: Pick<CpuUse, 'saturatedSeconds'>, startMs: number, endMs: number): number =>
  cpu.saturatedSeconds.filter((t) => (t + 1) * 1000 > startMs && t * 1000 < Math.max(endMs, startMs + 1)).length;

/** "4–9, 30, 41–42": consecutive seconds as ranges, for notes. */
export const secondRanges = (seconds: readonly number[]): string => {
  const out: string[] = [];
  for (let i = 0; i < seconds.length; ) {
    let j = i;
    while (j + 1 < seconds.length && seconds[j + 1] === seconds[j]! + 1) j++;
    out.push(i === j ? `${seconds[i]}` : `${seconds[i]}–${seconds[j]}`);
    i = j + 1;
  }
  return out.join(', ');
};
