// Cross-checks between a summary and the raw data it summarises. Renderers show the worse of the
// two and print a warning, so a bug upstream can never make a stall or failure disappear.
import { parseBudgetKey } from '../model/budgets.ts';
import type { BudgetCheck, RunReport, Stall, StatementTrace, StepResult, VariantResult } from '../model/schema.ts';
import { fmtMs } from './format-units.ts';

/** The metric a check measured (older reports name only the budget). */
export const checkMetric = (b: BudgetCheck): string | undefined => {
  if (b.metric) return b.metric;
  const p = parseBudgetKey(b.name);
  return 'problem' in p ? undefined : p.metric;
};

/** The variant's check of a metric over the whole run (no step, route or SQLSTATE), if budgeted. */
export const runCheck = (v: VariantResult, metric: string): BudgetCheck | undefined =>
  (v.summary.budgets ?? []).find((b) => checkMetric(b) === metric && !b.scope?.step && !b.scope?.route && !b.scope?.sqlstate);

/** The longest stall known anywhere in the variant (summary or stalls list). */
export const longestStall = (v: VariantResult): { ms: number; stall: Stall | null } => {
  let best: { ms: number; stall: Stall | null } = { ms: v.summary.longestStallMs ?? 0, stall: v.summary.longestStall };
  for (const s of v.stalls ?? []) {
    if (s.durationMs > best.ms) best = { ms: s.durationMs, stall: s };
  }
  if (best.stall && best.stall.durationMs > best.ms) best = { ms: best.stall.durationMs, stall: best.stall };
  return best;
};

export const failedSteps = (steps: StepResult[]): StepResult[] => steps.filter((s) => s.status === 'failed');

/** Human-readable inconsistencies in one variant; empty when the summary agrees with the data. */
export const variantWarnings = (v: VariantResult): string[] => {
  const out: string[] = [];
  const s = v.summary;
  const maxListed = Math.max(0, ...(v.stalls ?? []).map((x) => x.durationMs));
  if (maxListed > s.longestStallMs) {
    out.push(`summary says the longest stall is ${fmtMs(s.longestStallMs)} but the stalls list contains one of ${fmtMs(maxListed)}; the larger value is shown`);
  }
  if (s.verdict === 'pass') {
    const broken = (s.budgets ?? []).filter((b) => !b.ok).map((b) => b.name);
    if (broken.length) out.push(`verdict is "pass" although budget checks failed: ${broken.join(', ')}`);
    const failed = failedSteps(v.steps ?? []);
    if (failed.length) out.push(`verdict is "pass" although step(s) failed: ${failed.map((f) => f.name).join(', ')}`);
    if (!s.completed) out.push('verdict is "pass" although the migration did not complete');
  }
  if ((v.timeline ?? []).length === 0 && v.durationMs > 0) {
    out.push('no timeline was recorded: traffic during this run cannot be shown');
  }
  return out;
};

/** Report-level inconsistencies (overall verdict vs the variants). */
export const reportWarnings = (r: RunReport): string[] => {
  const failing = r.variants.filter((v) => v.summary.verdict === 'fail').map((v) => v.variant);
  if (r.summary.verdict === 'pass' && failing.length) {
    return [`overall verdict is "pass" although variant(s) failed: ${failing.join(', ')}`];
  }
  return [];
};

export type ShownVerdict = 'pass' | 'fail' | 'inconsistent';

/** The verdict to display: a "pass" contradicted by the data is never shown as a green pass. */
export const shownVerdict = (v: VariantResult): ShownVerdict =>
  v.summary.verdict === 'fail' ? 'fail' : variantWarnings(v).some((w) => w.startsWith('verdict is "pass"')) ? 'inconsistent' : 'pass';

export const shownOverallVerdict = (r: RunReport): ShownVerdict => {
  if (r.summary.verdict === 'fail') return 'fail';
  const shown = r.variants.map(shownVerdict);
  return reportWarnings(r).length || shown.some((x) => x !== 'pass') ? 'inconsistent' : 'pass';
};

/**
 * Lock-timeout retries of a step, counted per transaction (a retry re-runs the whole transaction,
 * so every statement in it shows the attempt): retries = Σ (attempts − 1) over transactions.
 */
export const retriesOf = (statements: StatementTrace[]): { retries: number; maxAttempts: number } => {
  const groups = new Map<string, number>();
  statements.forEach((st, i) => {
    const key = st.transaction !== undefined ? `tx${st.transaction}` : `st${i}`;
    groups.set(key, Math.max(groups.get(key) ?? 0, (st.attempts ?? []).length));
  });
  const attempts = [...groups.values()];
  return { retries: attempts.reduce((a, n) => a + Math.max(0, n - 1), 0), maxAttempts: Math.max(0, ...attempts) };
};

/**
 * What makes a variant's numbers less about the migration: a warm-up that never settled, and a
 * machine already saturated before any step ran (the chosen rate, plus whatever else runs there,
 * is more than this machine can serve while it measures). Shown by the console and the HTML.
 */
export const measurementWarnings = (v: VariantResult): string[] => {
  const out: string[] = [];
  const w = v.warmup;
  if (w && w.settled === false) {
    out.push(w.mode === 'auto'
      ? `latency was not steady after the ${Math.round(w.criteria.capMs / 1000)} s warm-up cap: the first steps may still include warming up`
      : `latency was not steady at the end of the fixed ${(w.durationMs / 1000).toFixed(1)} s warm-up: the first steps may still include warming up`);
  }
  const cpu = v.cpu;
  const ss = cpu?.steadyState;
  if (cpu && ss && ss.saturatedSeconds > 0) {
    const ours = [ss.harness, ss.apps, ss.postgres].every((x) => x !== null) ? (ss.harness ?? 0) + (ss.apps ?? 0) + (ss.postgres ?? 0) : null;
    const rate = v.load?.model === 'open' && v.load.rate ? `the load rate of ${v.load.rate} req/s` : 'the load';
    const who = ours === null ? '' : ` (rehearse's processes used ${ours.toFixed(2)} cores, other processes ${ss.other?.toFixed(2) ?? '?'} of ${cpu.cores})`;
    out.push(`the machine's CPU was saturated in ${ss.saturatedSeconds} s of the steady state, before any step ran${who}: with ${rate} this machine cannot serve and measure at once, so latency reflects the machine; lower --rate or free the machine`);
  }
  return out;
};

/** Report-level: the variants' baselines differ, so comparing them is unreliable. */
export const baselineWarnings = (r: RunReport): string[] => {
  const b = r.baselines;
  if (!b || b.comparable === true || !b.reasons.length) return [];
  if (b.comparable === null) return [`whether the variants ran on comparable baselines could not be checked: ${b.reasons.join('; ')}`];
  return [`the variants did not run on comparable baselines, so comparing them is unreliable: ${b.reasons.join('; ')}`];
};
