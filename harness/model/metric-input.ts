// What budget metrics are computed from: the raw measurements of one variant up to a horizon.
// The same input is built while the variant runs (horizon = now, records so far plus those in
// flight) and after it ends (horizon = run end), so a live check and the final check are one
// computation. MetricFacts derives the costly parts (stalls, traffic slices) once per input.
import { exclusiveHoldMs } from './projection.ts';
import type { LockSample, RequestRecord } from './records.ts';
import type { LockWaitEvent, StatementTrace, StepKind, StepResult } from './schema.ts';
import { summarizeTraffic, findStalls, stallsFrom, type LoadTrafficSummary } from './traffic.ts';
import { lockWaitEvents } from './lock-waits.ts';
import { dominant, type Window } from './windows.ts';

/** A step that started, on the monotonic clock. */
export interface StepSpan {
  name: string;
  kind: StepKind;
  startMs: number;
  /** When it ended; the horizon while it still runs. */
  endMs: number;
  running: boolean;
  /** Statements it finished (a running step reports its statements when it ends). */
  statements: readonly StatementTrace[];
}

export interface MetricInput {
  /** The variant's own name (a scale run's base variant), for budgets scoped to one variant. */
  variant: string;
  runStartMs: number;
  /** Where the counted run starts: the end of warm-up. Run-wide slices start here; absent = everything counts. */
  measuredFromMs?: number;
  /** Everything up to here is measured: the run end, or now while the run goes on. */
  horizonMs: number;
  records: readonly RequestRecord[];
  lockSamples: readonly LockSample[];
  steps: readonly StepSpan[];
  /** Step and statement windows, for attributing a stall or a wait to the step it overlaps most. */
  stepWindows: readonly Window[];
  statementWindows: readonly Window[];
}

/** Joins the step clock's windows (precise, monotonic) with the step results (kind, statements). */
export function stepSpans(windows: readonly Window[], results: readonly StepResult[], horizonMs: number): StepSpan[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  return windows.map((w) => {
    const r = byName.get(w.name);
    const running = w.endMs === null;
    return {
      name: w.name,
      kind: r?.kind ?? 'sql',
      startMs: w.startMs,
      endMs: w.endMs ?? horizonMs,
      running,
      // A running step's result is a placeholder until it ends.
      statements: running ? [] : (r?.statements ?? []),
    };
  });
}

/** A stall window with the step it overlaps most (times on the monotonic clock). */
export interface AttributedStall {
  route: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  step: string | null;
}

/** Derived facts, computed once per input and shared by every metric. */
export class MetricFacts {
  private stallList: AttributedStall[] | undefined;
  private waits: LockWaitEvent[] | undefined;
  private readonly byRoute = new Map<string, RequestRecord[]>();
  private readonly slices = new Map<string, LoadTrafficSummary>();

  constructor(readonly input: MetricInput) {}

  /** The step running at a monotonic instant. */
  stepAt(ms: number): string | null {
    return this.input.steps.find((s) => s.startMs <= ms && ms < s.endMs)?.name ?? null;
  }

  step(name: string): StepSpan | undefined {
    return this.input.steps.find((s) => s.name === name);
  }

  /** [from, to) on the monotonic clock for a step, or the whole run after warm-up. */
  window(step: string | undefined): [number, number] | null {
    if (step === undefined) return [this.input.measuredFromMs ?? -Infinity, Infinity];
    const s = this.step(step);
    return s ? [s.startMs, s.endMs] : null;
  }

  records(route: string | undefined): readonly RequestRecord[] {
    if (route === undefined) return this.input.records;
    let list = this.byRoute.get(route);
    if (!list) this.byRoute.set(route, (list = this.input.records.filter((r) => r.route === route)));
    return list;
  }

  /** Traffic of the requests scheduled in a step (or the run), of one route or all. */
  traffic(step: string | undefined, route: string | undefined): LoadTrafficSummary | null {
    const key = `${step ?? ''}\u0000${route ?? ''}`;
    const cached = this.slices.get(key);
    if (cached) return cached;
    const w = this.window(step);
    if (!w) return null;
    const t = summarizeTraffic(this.records(route), w[0], w[1]);
    this.slices.set(key, t);
    return t;
  }

  /** Every window without a response while requests were in flight, however short, longest first; warm-up cut off. */
  stalls(): AttributedStall[] {
    if (this.stallList) return this.stallList;
    const { records, horizonMs, stepWindows, measuredFromMs } = this.input;
    this.stallList = stallsFrom(findStalls(records, { endMs: horizonMs, minMs: 1 }), measuredFromMs ?? -Infinity).map((s) => ({
      route: s.route,
      startMs: s.startMs,
      endMs: s.endMs,
      durationMs: s.durationMs,
      step: dominant(stepWindows as Window[], s.startMs, s.endMs, horizonMs),
    }));
    return this.stallList;
  }

  lockWaits(): LockWaitEvent[] {
    this.waits ??= lockWaitEvents({
      runStartMs: this.input.runStartMs,
      runEndMs: this.input.horizonMs,
      lockSamples: this.input.lockSamples,
      clock: { steps: this.input.stepWindows as Window[], statements: this.input.statementWindows as Window[] },
    });
    return this.waits;
  }

  samplesIn(step: string | undefined): LockSample[] | null {
    const w = this.window(step);
    if (!w) return null;
    return this.input.lockSamples.filter((s) => s.t >= w[0] && s.t < w[1] && s.t <= this.input.horizonMs);
  }

  /** ACCESS EXCLUSIVE holds of the finished statements of a step (or every step). */
  exclusiveHolds(step: string | undefined): { step: string; sql: string; ms: number }[] | null {
    const steps = step === undefined ? this.input.steps : this.input.steps.filter((s) => s.name === step);
    if (steps.length === 0 || steps.every((s) => s.statements.length === 0)) return null;
    const out: { step: string; sql: string; ms: number }[] = [];
    for (const s of steps) {
      for (const st of s.statements) out.push({ step: s.name, sql: st.sql, ms: exclusiveHoldMs(st) ?? 0 });
    }
    return out;
  }
}
