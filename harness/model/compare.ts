// Compares two reports of the same scenario, variant by variant and step by step, to catch a
// run that got worse than a known-good baseline. Only the report.json figures are used, so any
// two reports compare, old or new. A change counts as a regression only when it exceeds both an
// absolute and a relative tolerance: run-to-run noise on a loaded CI runner is large for small
// values (a 40 ms gap becoming 90 ms) and proportional for large ones. Pure: no I/O.
import { exclusiveHoldMs } from './projection.ts';
import type { RunReport, StepResult, VariantResult } from './schema.ts';

export type CompareMetric = 'longestStallMs' | 'maxLatencyMs' | 'p99Ms' | 'errorRate' | 'lockWaiters' | 'exclusiveHoldMs' | 'stepDurationMs';

/** A change is a regression when current − baseline > abs AND current > baseline × (1 + rel). */
export interface Tolerance {
  abs: number;
  rel: number;
}

/**
 * Defaults that ignore noise: each is above the worst run-to-run spread of the same build measured
 * on the project's 2-core machine while other engineers' test suites ran on it (load average ≈ 22;
 * docs/ci.md#tolerances has the runs and the spreads). On a dedicated runner the spread is far
 * smaller: tighten them with --tolerance. A lock queue that turns a 1 s stall into 8 s still shows.
 */
export const DEFAULT_TOLERANCES: Record<CompareMetric, Tolerance> = {
  longestStallMs: { abs: 1000, rel: 2 },
  maxLatencyMs: { abs: 2000, rel: 3 },
  p99Ms: { abs: 2000, rel: 3 },
  errorRate: { abs: 0.05, rel: 1 },
  lockWaiters: { abs: 20, rel: 3 },
  exclusiveHoldMs: { abs: 1000, rel: 2 },
  stepDurationMs: { abs: 5000, rel: 3 },
};

export const COMPARE_UNITS: Record<CompareMetric, 'ms' | 'ratio' | 'count'> = {
  longestStallMs: 'ms', maxLatencyMs: 'ms', p99Ms: 'ms', errorRate: 'ratio', lockWaiters: 'count', exclusiveHoldMs: 'ms', stepDurationMs: 'ms',
};

export type RowStatus = 'regressed' | 'improved' | 'same' | 'not compared';

export interface CompareRow {
  variant: string;
  /** null for the variant as a whole. */
  step: string | null;
  metric: CompareMetric | 'verdict' | 'status';
  baseline: number | string | null;
  current: number | string | null;
  status: RowStatus;
  /** Why it is not compared, or what the tolerance was. */
  note?: string;
}

export interface Comparison {
  scenario: string;
  baseline: { runId: string; startedAt: string; tool: string };
  current: { runId: string; startedAt: string; tool: string };
  tolerances: Record<CompareMetric, Tolerance>;
  rows: CompareRow[];
  /** Variants or steps present on one side only, and other things a reader should know. */
  notes: string[];
  regressed: boolean;
}

/** `longestStallMs=300`, `longestStallMs=80%` or `longestStallMs=300,80%`: overrides one metric's tolerance. */
export function parseTolerance(text: string): { metric: CompareMetric; tolerance: Partial<Tolerance> } | { problem: string } {
  const bad = { problem: `--tolerance "${text}" must look like metric=abs, metric=rel% or metric=abs,rel% (e.g. longestStallMs=300,50%)` };
  const m = /^\s*([A-Za-z0-9]+)\s*=\s*(.+)$/.exec(text);
  if (!m) return bad;
  if (!Object.hasOwn(DEFAULT_TOLERANCES, m[1]!)) return { problem: `--tolerance: unknown metric "${m[1]}" (known: ${Object.keys(DEFAULT_TOLERANCES).join(', ')})` };
  const tolerance: Partial<Tolerance> = {};
  for (const part of m[2]!.split(',').map((x) => x.trim())) {
    const p = /^([0-9]*\.?[0-9]+)\s*(%?)$/.exec(part);
    if (!p) return bad;
    if (p[2]) tolerance.rel = Number(p[1]) / 100;
    else tolerance.abs = Number(p[1]);
  }
  return { metric: m[1] as CompareMetric, tolerance };
}

const maxHold = (steps: StepResult[]): number | null => {
  const holds = steps.flatMap((s) => (s.statements ?? []).map((st) => exclusiveHoldMs(st) ?? 0));
  return holds.length ? Math.max(...holds) : null;
};

const num = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The figures compared for the variant as a whole. */
const runFigures = (v: VariantResult): Partial<Record<CompareMetric, number | null>> => ({
  longestStallMs: num(v.summary.longestStallMs),
  maxLatencyMs: num(v.summary.maxLatencyMs),
  p99Ms: num(v.summary.p99Ms),
  errorRate: num(v.summary.errorRate),
  lockWaiters: num(v.summary.maxLockWaiters),
  exclusiveHoldMs: maxHold(v.steps ?? []),
});

/** The figures compared per step (a step that did not run has none). */
const stepFigures = (s: StepResult): Partial<Record<CompareMetric, number | null>> =>
  s.status === 'skipped' ? {} : {
    longestStallMs: num(s.longestStallMs),
    maxLatencyMs: num(s.traffic?.maxMs),
    p99Ms: num(s.traffic?.p99Ms),
    errorRate: num(s.traffic?.errorRate),
    lockWaiters: num(s.maxLockWaiters),
    exclusiveHoldMs: (s.statements ?? []).length ? maxHold([s]) : null,
    stepDurationMs: num(s.durationMs),
  };

export function judge(base: number, cur: number, t: Tolerance): RowStatus {
  if (cur - base > t.abs && cur > base * (1 + t.rel)) return 'regressed';
  if (base - cur > t.abs && base > cur * (1 + t.rel)) return 'improved';
  return 'same';
}

function figureRows(variant: string, step: string | null, b: Partial<Record<CompareMetric, number | null>>, c: Partial<Record<CompareMetric, number | null>>, tol: Record<CompareMetric, Tolerance>): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const metric of Object.keys(tol) as CompareMetric[]) {
    if (!(metric in b) && !(metric in c)) continue;
    const base = b[metric] ?? null;
    const cur = c[metric] ?? null;
    if (base === null || cur === null) {
      if (base !== null || cur !== null) rows.push({ variant, step, metric, baseline: base, current: cur, status: 'not compared', note: `not in the ${base === null ? 'baseline' : 'current'} report` });
      continue;
    }
    rows.push({ variant, step, metric, baseline: base, current: cur, status: judge(base, cur, tol[metric]) });
  }
  return rows;
}

export function compareReports(baseline: RunReport, current: RunReport, overrides: Partial<Record<CompareMetric, Partial<Tolerance>>> = {}): Comparison {
  const tolerances = Object.fromEntries(
    (Object.keys(DEFAULT_TOLERANCES) as CompareMetric[]).map((m) => [m, { ...DEFAULT_TOLERANCES[m], ...overrides[m] }]),
  ) as Record<CompareMetric, Tolerance>;
  const rows: CompareRow[] = [];
  const notes: string[] = [];
  const baseVariants = new Map(baseline.variants.map((v) => [v.variant, v]));
  for (const cur of current.variants) {
    const base = baseVariants.get(cur.variant);
    if (!base) {
      notes.push(`variant ${cur.variant} is not in the baseline: nothing to compare it with`);
      continue;
    }
    // A migration that no longer completes is a regression whatever the figures. A verdict that
    // flipped with figures inside the tolerances is noise around a limit: the budget gate
    // (--fail-on-breach) reports breaches; compare judges the figures.
    const noLongerCompletes = base.summary.completed && !cur.summary.completed;
    rows.push({ variant: cur.variant, step: null, metric: 'status', baseline: base.summary.completed ? 'completed' : 'incomplete', current: cur.summary.completed ? 'completed' : 'incomplete', status: noLongerCompletes ? 'regressed' : !base.summary.completed && cur.summary.completed ? 'improved' : 'same' });
    rows.push({ variant: cur.variant, step: null, metric: 'verdict', baseline: base.summary.verdict, current: cur.summary.verdict, status: 'same', ...(base.summary.verdict !== cur.summary.verdict ? { note: 'the verdict changed; the figures below say whether beyond noise' } : {}) });
    rows.push(...figureRows(cur.variant, null, runFigures(base), runFigures(cur), tolerances));
    const baseSteps = new Map((base.steps ?? []).map((s) => [s.name, s]));
    for (const s of cur.steps ?? []) {
      const b = baseSteps.get(s.name);
      if (!b) {
        notes.push(`${cur.variant}: step ${s.name} is not in the baseline`);
        continue;
      }
      if (b.status !== s.status) {
        const worse = b.status === 'ok' && s.status !== 'ok';
        rows.push({ variant: cur.variant, step: s.name, metric: 'status', baseline: b.status, current: s.status, status: worse ? 'regressed' : s.status === 'ok' ? 'improved' : 'same' });
      }
      rows.push(...figureRows(cur.variant, s.name, stepFigures(b), stepFigures(s), tolerances));
    }
    const curSteps = new Set((cur.steps ?? []).map((s) => s.name));
    for (const name of baseSteps.keys()) if (!curSteps.has(name)) notes.push(`${cur.variant}: step ${name} of the baseline is not in the current report`);
  }
  for (const name of baseVariants.keys()) if (!current.variants.some((v) => v.variant === name)) notes.push(`variant ${name} of the baseline was not run this time`);
  const rowsDiffer = (a: RunReport, b: RunReport) => JSON.stringify(Object.values(a.variants[0]?.dataset?.tables ?? {})) !== JSON.stringify(Object.values(b.variants[0]?.dataset?.tables ?? {}));
  if (rowsDiffer(baseline, current)) notes.push('the two runs seeded different row counts: differences may come from the data size, not the code');
  const loadOf = (r: RunReport) => r.variants[0]?.load?.rate ?? null;
  if (loadOf(baseline) !== loadOf(current)) notes.push(`the two runs used different load rates (${loadOf(baseline) ?? '—'} vs ${loadOf(current) ?? '—'} req/s)`);
  const who = (r: RunReport) => ({ runId: r.runId, startedAt: r.startedAt, tool: `${r.tool?.name ?? 'rehearse'} ${r.tool?.version ?? '?'}` });
  return { scenario: current.scenario, baseline: who(baseline), current: who(current), tolerances, rows, notes, regressed: rows.some((r) => r.status === 'regressed') };
}

/** The latest report of `scenario` that started before `before` (ISO), among candidates. */
export function pickBaseline(candidates: readonly { report: RunReport; file: string }[], scenario: string, before: string, runId?: string): { report: RunReport; file: string } | null {
  let best: { report: RunReport; file: string } | null = null;
  for (const c of candidates) {
    if (c.report.scenario !== scenario || c.report.startedAt >= before || c.report.runId === runId) continue;
    if (!best || c.report.startedAt > best.report.startedAt) best = c;
  }
  return best;
}
