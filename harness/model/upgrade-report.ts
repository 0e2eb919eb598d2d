// Old report.json files in the current shape, so every renderer reads one shape and `rehearse
// report` / `rehearse compare` work on any report ever written. Nothing is invented: a figure an
// old report lacks stays absent, and renderers say "not measured". Pure: no I/O.
import { parseBudgetKey } from './budgets.ts';
import { metricOf } from './metrics.ts';
import { SCHEMA_VERSION, type BudgetCheck, type RunReport, type VariantResult } from './schema.ts';

type Loose = Record<string, any>;

/** Checks before they named their metric ({ name, limit, actual, ok }) gain metric, scope, unit and value. */
export function upgradeCheck(b: Loose, longestStall?: Loose | null): BudgetCheck {
  if (b.metric && b.scope && 'value' in b) return b as BudgetCheck;
  const parsed = parseBudgetKey(String(b.name));
  const metric = 'problem' in parsed ? undefined : parsed.metric;
  const actual = typeof b.actual === 'number' ? b.actual : null;
  return {
    ...b,
    name: String(b.name),
    ...(metric ? { metric, scope: 'problem' in parsed ? {} : parsed.scope, unit: metricOf(metric)?.unit } : {}),
    limit: b.limit,
    value: actual,
    actual,
    ok: Boolean(b.ok),
    // The stall budget's worst value is the summary's longest stall, which says where it was.
    ...(metric === 'longestStallMs' && longestStall?.step && actual === longestStall.durationMs ? { where: { step: longestStall.step, route: longestStall.route } } : {}),
  } as BudgetCheck;
}

function upgradeVariant(v: Loose, from: number): VariantResult {
  const out: Loose = { ...v };
  if (from < 2) {
    // v1: the sample app's dataset was two counts.
    const d = v.dataset ?? {};
    out.dataset = { description: 'users and orders (report schema v1)', seed: d.seed ?? 0, tables: { users: d.users ?? 0, orders: d.orders ?? 0 } };
    out.events ??= [];
  }
  out.summary = { ...v.summary, budgets: (v.summary?.budgets ?? []).map((b: Loose) => upgradeCheck(b, v.summary?.longestStall)) };
  out.steps = (v.steps ?? []).map((s: Loose) => (s.budgets ? { ...s, budgets: s.budgets.map((b: Loose) => upgradeCheck(b)) } : s));
  return out as VariantResult;
}

/** Parsed JSON → the current RunReport shape, or what is wrong with it. */
export function upgradeReport(raw: unknown): { report: RunReport } | { problem: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: 'not a rehearse report (expected a JSON object)' };
  const r = raw as Loose;
  const version = r.schemaVersion;
  if (typeof version !== 'number' || !Array.isArray(r.variants) || typeof r.summary !== 'object') {
    return { problem: 'not a rehearse report (no schemaVersion, summary and variants)' };
  }
  if (version > SCHEMA_VERSION) return { problem: `written by a newer rehearse (report schema v${version}; this one reads up to v${SCHEMA_VERSION})` };
  const out: Loose = { ...r, variants: r.variants.map((v: Loose) => upgradeVariant(v, version)) };
  out.summary = { ...r.summary, budgets: (r.summary.budgets ?? []).map((b: Loose) => upgradeCheck(b, r.summary.longestStall)) };
  if (version < 2 && r.seed) out.seed = { tables: { users: r.seed.rows ?? 0, orders: r.seed.orders ?? 0 }, seconds: r.seed.seconds, rowsPerSec: r.seed.rowsPerSec, reused: r.seed.reused, notes: [] };
  out.steps = out.variants[0]?.steps ?? r.steps ?? [];
  return { report: out as RunReport };
}
