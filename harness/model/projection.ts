// Scale projection: a migration rehearsed at several sizes is fitted, per statement, against the
// rows of the table it locked, and projected to production size. Honest by construction: a cost
// that does not grow with rows is called constant, a poor fit is called poor, and every
// projection carries its measured points. Pure: no I/O.
import { blockingLocks, holdsAccessExclusive } from './locks.ts';
import type { StatementTrace, VariantResult } from './schema.ts';

export interface FitPoint { rows: number; ms: number }

export interface Fit {
  /** linear: ms = intercept + slope × rows; constant: does not grow with rows; poor: R² too low to trust; none: too few points. */
  model: 'linear' | 'constant' | 'poor' | 'none';
  interceptMs: number;
  slopeMsPerRow: number;
  /** Coefficient of determination of the linear fit (null with fewer than 3 points or no variance). */
  r2: number | null;
  points: FitPoint[];
  /** The projection at production rows (null when there is no fit or no production size). */
  projectedMs: number | null;
}

export interface StatementProjection {
  variant: string;
  step: string;
  sql: string;
  source?: { file: string; line: number };
  /** The table the rows are counted on: the one the statement held its strongest lock on. */
  table: string | null;
  productionRows: number | null;
  duration: Fit;
  /** Time ACCESS EXCLUSIVE was held (acquired → released at transaction end); null if never taken. */
  exclusiveHold: Fit | null;
  summary: string;
}

export interface Projection {
  /** Production row counts per table as given (e.g. --production-rows Booking=250000000). */
  productionRows: Record<string, number>;
  scales: string[];
  statements: StatementProjection[];
  notes: string[];
}

/** Below this R², a linear projection is reported but called poor. */
export const MIN_R2 = 0.9;
/** A cost is constant when the fitted growth over the measured range is below this share of its mean (or 20 ms). */
const CONSTANT_SHARE = 0.15;
const CONSTANT_FLOOR_MS = 20;

const LOCK_STRENGTH = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

/** Table names as regclass prints them and as datasets key them: drop quotes and a public. prefix. */
export const tableKey = (name: string): string => name.replace(/^public\./, '').replace(/"/g, '').toLowerCase();

export function fitLinear(points: FitPoint[], productionRows: number | null): Fit {
  const n = points.length;
  const base: Fit = { model: 'none', interceptMs: 0, slopeMsPerRow: 0, r2: null, points, projectedMs: null };
  if (n < 2) return base;
  const mx = points.reduce((a, p) => a + p.rows, 0) / n;
  const my = points.reduce((a, p) => a + p.ms, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (const p of points) {
    sxx += (p.rows - mx) ** 2;
    sxy += (p.rows - mx) * (p.ms - my);
    syy += (p.ms - my) ** 2;
  }
  if (sxx === 0) return base; // every point at the same size: nothing to fit
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = n >= 3 && syy > 0 ? 1 - points.reduce((a, p) => a + (p.ms - (intercept + slope * p.rows)) ** 2, 0) / syy : null;
  const range = Math.max(...points.map((p) => p.rows)) - Math.min(...points.map((p) => p.rows));
  const constant = Math.abs(slope * range) < Math.max(CONSTANT_FLOOR_MS, CONSTANT_SHARE * my);
  if (constant) return { model: 'constant', interceptMs: my, slopeMsPerRow: 0, r2, points, projectedMs: productionRows === null ? null : my };
  const model = r2 !== null && r2 < MIN_R2 ? 'poor' : 'linear';
  return { model, interceptMs: intercept, slopeMsPerRow: slope, r2, points, projectedMs: productionRows === null ? null : Math.max(0, intercept + slope * productionRows) };
}

/** ACCESS EXCLUSIVE held from its acquisition (start of the last attempt plus its lock wait) to the end of its transaction. */
export const exclusiveHoldMs = (st: StatementTrace): number | null => {
  if (!holdsAccessExclusive(st) || st.heldUntilMs === undefined || st.status !== 'ok') return null;
  const last = st.attempts.at(-1);
  const acquired = last ? last.startMs + last.lockWaitMs : st.startMs + st.lockWaitMs;
  return Math.max(0, st.heldUntilMs - acquired);
};

/** The table the statement held its strongest lock on, among the dataset's tables. */
export const lockedTable = (st: StatementTrace, tables: Record<string, number>): string | null => {
  const keys = new Map(Object.keys(tables).map((t) => [tableKey(t), t]));
  let best: { table: string; strength: number } | null = null;
  for (const l of blockingLocks(st)) {
    const t = l.relation ? keys.get(tableKey(l.relation)) : undefined;
    const strength = LOCK_STRENGTH.indexOf(l.mode);
    if (t && (!best || strength > best.strength)) best = { table: t, strength };
  }
  return best?.table ?? null;
};

export interface ScaledVariant {
  /** The variant's name without the scale, shared by its runs at every scale. */
  base: string;
  scale: string;
  result: VariantResult;
}

/**
 * Fits every statement of each base variant across its scales. Statements are matched by step
 * name and position, so the same migration at every scale lines up.
 */
export function projectScales(runs: ScaledVariant[], productionRows: Record<string, number>): Projection {
  const notes: string[] = [];
  const statements: StatementProjection[] = [];
  const prod = new Map(Object.entries(productionRows).map(([t, n]) => [tableKey(t), n]));
  const byBase = new Map<string, ScaledVariant[]>();
  for (const r of runs) byBase.set(r.base, [...(byBase.get(r.base) ?? []), r]);
  for (const [base, scaled] of byBase) {
    const first = scaled[0]!.result;
    for (const step of first.steps) {
      step.statements.forEach((st, i) => {
        const samples = scaled
          .map((s) => ({ s, st: s.result.steps.find((x) => x.name === step.name)?.statements[i] }))
          .filter((x): x is { s: ScaledVariant; st: StatementTrace } => x.st !== undefined && x.st.status === 'ok');
        const table = lockedTable(st, first.dataset.tables);
        const rowsAt = (v: VariantResult): number =>
          table ? v.dataset.tables[table] ?? 0 : Object.values(v.dataset.tables).reduce((a, b) => a + b, 0);
        const target = productionFor(table, scaled.at(-1)!.result, prod, notes);
        const duration = fitLinear(samples.map(({ s, st: x }) => ({ rows: rowsAt(s.result), ms: x.durationMs })), target);
        const holds = samples.map(({ s, st: x }) => ({ rows: rowsAt(s.result), ms: exclusiveHoldMs(x) }));
        const exclusiveHold = holds.some((h) => h.ms !== null) ? fitLinear(holds.filter((h): h is FitPoint => h.ms !== null), target) : null;
        const p: StatementProjection = { variant: base, step: step.name, sql: st.sql, ...(st.source ? { source: st.source } : {}), table, productionRows: target, duration, exclusiveHold, summary: '' };
        p.summary = describe(p);
        statements.push(p);
      });
    }
  }
  return { productionRows, scales: [...new Set(runs.map((r) => r.scale))], statements, notes: [...new Set(notes)] };
}

function productionFor(table: string | null, largest: VariantResult, prod: Map<string, number>, notes: string[]): number | null {
  if (prod.size === 0) return null;
  if (table && prod.has(tableKey(table))) return prod.get(tableKey(table))!;
  // Scale this table by the factor of a table whose production size is known, at the largest scale.
  for (const [t, n] of prod) {
    const measured = Object.entries(largest.dataset.tables).find(([k]) => tableKey(k) === t)?.[1];
    if (!measured) continue;
    const factor = n / measured;
    const here = table ? largest.dataset.tables[table] ?? 0 : Object.values(largest.dataset.tables).reduce((a, b) => a + b, 0);
    notes.push(`Tables without a production size are scaled by ${t}'s factor (${fmtRows(n)} / ${fmtRows(measured)} = ×${factor.toFixed(1)}).`);
    return Math.round(here * factor);
  }
  notes.push(`No table named in the production sizes (${[...prod.keys()].join(', ')}) was seeded; nothing was projected.`);
  return null;
}

const fmtRows = (n: number): string => (n >= 1e9 ? `${+(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n));

export const fmtProjectedMs = (ms: number): string =>
  ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

const fitText = (f: Fit): string =>
  f.model === 'none' ? 'no fit' : `${f.model}${f.r2 !== null ? `, R² ${f.r2.toFixed(2)}` : ''}; ${f.points.length} point${f.points.length === 1 ? '' : 's'}`;

function describe(p: StatementProjection): string {
  const what = p.sql.replace(/\s+/g, ' ').slice(0, 60) + (p.sql.length > 60 ? '…' : '');
  const at = p.productionRows !== null ? ` at ${fmtRows(p.productionRows)} rows${p.table ? ` of ${p.table}` : ''}` : '';
  const f = p.exclusiveHold ?? p.duration;
  const verb = p.exclusiveHold ? 'holds ACCESS EXCLUSIVE' : 'takes';
  if (f.model === 'none') return `${what}: not enough scales to fit (${f.points.length} point${f.points.length === 1 ? '' : 's'})`;
  if (f.model === 'constant') return `${what} ${verb} ≈ ${fmtProjectedMs(f.interceptMs)} whatever the size (does not grow with rows: catalog-only or fixed cost; ${fitText(f)})`;
  const projected = f.projectedMs === null ? '' : ` ≈ ${fmtProjectedMs(f.projectedMs)}${at}`;
  const trust = f.model === 'poor' ? ' — poor fit, do not trust the projection' : '';
  return `${what} ${verb}${projected} (${fitText(f)})${trust}`;
}
