// Number formatting shared by the HTML report and the console summary, so both print the same
// figure for the same fact. Rule: never round a non-zero problem down to something that reads as zero.
import { parseBudgetKey } from '../model/budgets.ts';
import { metricOf } from '../model/metrics.ts';
import type { BudgetCheck } from '../model/schema.ts';

/** Shown wherever a value was not measured (null/undefined), distinct from a measured 0. */
export const NOT_MEASURED = '—';

const isNum = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export const fmtCount = (n: number | null | undefined): string =>
  isNum(n) ? Math.round(n).toLocaleString('en-US') : NOT_MEASURED;

/** Latencies and stalls: whole milliseconds, because budgets are written in ms. */
export const fmtMs = (ms: number | null | undefined): string => {
  if (!isNum(ms)) return NOT_MEASURED;
  // 0.4 ms must not print as "0 ms" next to a budget check.
  if (ms > 0 && ms < 1) return '<1 ms';
  return `${fmtCount(ms)} ms`;
};

/** Step and run durations: the unit a human reads fastest. */
export const fmtDuration = (ms: number | null | undefined): string => {
  if (!isNum(ms)) return NOT_MEASURED;
  if (ms < 1000) return fmtMs(ms);
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
};

/** Run-relative instants (ms since start) as seconds, for tables next to the chart's x axis. */
export const fmtAt = (ms: number | null | undefined): string => (isNum(ms) ? `${(ms / 1000).toFixed(1)} s` : NOT_MEASURED);

/** A 0..1 fraction as a percentage; 1 error in 1e6 requests stays visible ("0.0001%"). */
export const fmtPct = (fraction: number | null | undefined): string => {
  if (!isNum(fraction)) return NOT_MEASURED;
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.0001) return '<0.0001%';
  if (Math.abs(pct) >= 1) return `${pct.toFixed(2)}%`;
  // Two significant digits below 1%, so tiny rates are not rounded to 0.00%.
  return `${Number(pct.toPrecision(2))}%`;
};

/** SQL or a query on one line, shortened for summaries (full text stays in the HTML details). */
export const oneLine = (text: string, max = 100): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** "2025-11-22 01:42:03 UTC" — UTC so a report reads the same on every machine. */
export const fmtDate = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};

/** A metric value in its unit: ms, a fraction as %, backend-seconds, a count. */
export const fmtMetricValue = (unit: BudgetCheck['unit'], value: number | null | undefined): string => {
  if (value === null || value === undefined) return 'not measured';
  if (unit === 'ratio') return fmtPct(value);
  if (unit === 'ms') return fmtMs(value);
  if (unit === 's') return `${Number(value.toPrecision(3)).toLocaleString('en-US')} s`;
  if (unit === 'count') return fmtCount(value);
  return String(value);
};

/** The unit of a check: recorded since checks name their metric; derived from the name for older reports. */
export const checkUnit = (b: Pick<BudgetCheck, 'unit' | 'name' | 'metric'>): BudgetCheck['unit'] => {
  if (b.unit) return b.unit;
  const metric = b.metric ?? (() => {
    const p = parseBudgetKey(b.name);
    return 'problem' in p ? undefined : p.metric;
  })();
  return metric ? metricOf(metric)?.unit : undefined;
};

/** Budget values carry their own unit: stall budgets are ms, error budgets are fractions. */
export const fmtBudgetValue = (name: string, value: number | null | undefined): string => fmtMetricValue(checkUnit({ name }), value);

/** "step contract, route read-by-id" for a check's scope (or where its worst value was). */
export const fmtScope = (scope: BudgetCheck['scope'] | BudgetCheck['where'] | undefined): string =>
  Object.entries(scope ?? {}).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k} ${v}`).join(', ');

/**
 * One line that says everything about a check: which budget, the value, the comparison, the
 * limit, and where: "maxStallMs 3,200 ms > 1,000 ms (step alter-type, route update-balance)".
 */
export const describeCheck = (b: BudgetCheck): string => {
  const unit = checkUnit(b);
  const value = b.value === undefined ? b.actual : b.value;
  const where = fmtScope(b.where);
  const cmp = value === null ? `not measured (limit ${fmtMetricValue(unit, b.limit)})` : `${fmtMetricValue(unit, value)} ${b.ok ? '<=' : '>'} ${fmtMetricValue(unit, b.limit)}`;
  return `${b.name} ${cmp}${where ? ` (${where})` : ''}${b.note && value === null ? `: ${b.note.replace(/^not measured: /, '')}` : ''}`;
};

/** Top-N SQLSTATEs by count, most frequent first: "55P03×12, 57014×3". */
export const topSqlstates = (bySqlstate: Record<string, number>, n = 3): string[] =>
  Object.entries(bySqlstate)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([s, c]) => `${s}×${fmtCount(c)}`);

/** Bytes in the largest binary unit that keeps the number ≥ 1: 512 B, 3.4 MiB, 4.80 GiB. */
export const fmtBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 ? n : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ${units[i]}`;
};
