// Budgets turn measurements into a verdict. Declared as data, like k6 thresholds: the key names a
// metric (metrics.ts) and optionally a slice, `longestStallMs{step:contract}`,
// `p99Ms{route:read-by-id}`, `errorRate{sqlstate:55P03}`; the value is the limit, or
// `{ limit, abortOnFail }` to stop the migration as soon as the budget breaches.
// A limit is the most allowed: a budget passes when actual <= limit (as k6's `<=` thresholds), so
// `maxErrorRate: 0` passes a run with no errors and a stall exactly at maxStallMs passes.
// An unscoped budget is checked over the whole run (that check decides the verdict, so no average
// can hide a stall) and, for metrics whose step values never exceed the run's, per step too.
import { MetricFacts, type MetricInput } from './metric-input.ts';
import { METRICS, metricOf, type BudgetScope, type Measured, type MetricDef, type MetricName, type ScopeTag } from './metrics.ts';
import type { BudgetCheck, Budgets } from './schema.ts';

export const DEFAULT_BUDGETS: Budgets = {
  // A second with requests in flight and none completing is an outage users notice.
  maxStallMs: 1000,
  // 1 in 1000 requests failing is already a page for most on-call rotations.
  maxErrorRate: 0.001,
};

/** The first budget names, kept working: each is a metric over the whole run. */
export const LEGACY_BUDGETS = { maxStallMs: 'longestStallMs', maxErrorRate: 'errorRate' } as const satisfies Record<keyof Budgets, MetricName>;

type BaseKey = MetricName | keyof typeof LEGACY_BUDGETS;
export type BudgetValue = number | { limit: number; abortOnFail?: boolean };
/** What a scenario, a config or the CLI declares. Keys are checked by TypeScript and again at load. */
export type BudgetDeclarations = { [K in BaseKey]?: BudgetValue } & { [key: `${BaseKey}{${string}}`]: BudgetValue | undefined };

/** Where a budget was declared; 'run' = rehearse.config.ts or the command line. */
export type BudgetSource = 'default' | 'scenario' | 'run';

/** One budget, parsed. */
export interface BudgetSpec {
  /** As declared, e.g. "maxStallMs" or "p99Ms{route:read-by-id}"; reports name checks by it. */
  name: string;
  metric: MetricName;
  scope: BudgetScope;
  limit: number;
  abortOnFail: boolean;
  from: BudgetSource;
}

/** The one comparison every budget uses; renderers print `<=` for a pass and `>` for a breach. */
export const withinBudget = (actual: number, limit: number): boolean => actual <= limit;

const TAGS: readonly (ScopeTag | 'variant')[] = ['step', 'route', 'sqlstate', 'variant'];

/** `metric{tag:value,…}` → metric and scope. Values may be "quoted" to hold , } or :. */
export function parseBudgetKey(key: string): { metric: MetricName; scope: BudgetScope } | { problem: string } {
  const m = /^([A-Za-z0-9]+)(?:\{([\s\S]*)\})?$/.exec(key.trim());
  if (!m) return { problem: `"${key}" is not a budget: write metric or metric{tag:value}, e.g. longestStallMs{step:contract}` };
  const base = m[1]!;
  const metric = (Object.hasOwn(LEGACY_BUDGETS, base) ? LEGACY_BUDGETS[base as keyof typeof LEGACY_BUDGETS] : base) as MetricName;
  const def = metricOf(metric);
  if (!def) return { problem: `unknown budget metric "${base}" (known: ${[...Object.keys(METRICS), ...Object.keys(LEGACY_BUDGETS)].join(', ')})` };
  const scope: BudgetScope = {};
  if (m[2] === undefined) return { metric, scope };
  const pairs = splitPairs(m[2]);
  if (typeof pairs === 'string') return { problem: `${key}: ${pairs}` };
  for (const [tag, value] of pairs) {
    if (!TAGS.includes(tag as ScopeTag)) return { problem: `${key}: unknown scope "${tag}" (known: ${TAGS.join(', ')})` };
    if (tag !== 'variant' && !def.tags.includes(tag as ScopeTag)) return { problem: `${key}: ${metric} cannot be scoped by ${tag} (it takes ${[...def.tags, 'variant'].join(', ')})` };
    if (scope[tag as keyof BudgetScope] !== undefined) return { problem: `${key}: ${tag} is given twice` };
    if (tag === 'sqlstate' && !/^[0-9A-Z]{5}$/.test(value)) return { problem: `${key}: a SQLSTATE is 5 characters of 0-9/A-Z, e.g. 55P03` };
    scope[tag as keyof BudgetScope] = value;
  }
  return { metric, scope };
}

function splitPairs(body: string): [string, string][] | string {
  const out: [string, string][] = [];
  let i = 0;
  while (i < body.length) {
    const colon = body.indexOf(':', i);
    if (colon < 0) return `expected tag:value in "{${body}}"`;
    const tag = body.slice(i, colon).trim();
    let value = '';
    let j = colon + 1;
    while (body[j] === ' ') j++;
    if (body[j] === '"') {
      const close = body.indexOf('"', j + 1);
      if (close < 0) return `unclosed quote in "{${body}}"`;
      value = body.slice(j + 1, close);
      j = close + 1;
      while (body[j] === ' ') j++;
      if (j < body.length && body[j] !== ',') return `expected , after "${value}"`;
    } else {
      const comma = body.indexOf(',', j);
      const end = comma < 0 ? body.length : comma;
      value = body.slice(j, end).trim();
      j = end;
    }
    if (!tag || !value) return `expected tag:value in "{${body}}"`;
    out.push([tag, value]);
    i = j + 1;
  }
  return out;
}

/** Parses one declared budget; the problem says what is wrong with it. */
export function parseBudget(key: string, value: unknown, from: BudgetSource): BudgetSpec | { problem: string } {
  const parsed = parseBudgetKey(key);
  if ('problem' in parsed) return parsed;
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  const limit = obj ? obj.limit : value;
  if (obj) {
    const extra = Object.keys(obj).filter((k) => k !== 'limit' && k !== 'abortOnFail');
    if (extra.length) return { problem: `${key}: unknown field ${extra.join(', ')} (a budget is a number or { limit, abortOnFail })` };
    if (obj.abortOnFail !== undefined && typeof obj.abortOnFail !== 'boolean') return { problem: `${key}: abortOnFail must be true or false` };
  }
  const def = METRICS[parsed.metric];
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) return { problem: `${key}: the limit must be a number ≥ 0, got ${JSON.stringify(limit)}` };
  if (def.unit === 'ratio' && limit > 1) return { problem: `${key}: ${parsed.metric} is a fraction of requests, 0..1 (0.001 = 0.1 %), got ${limit}` };
  return { name: key.trim(), metric: parsed.metric, scope: parsed.scope, limit, abortOnFail: obj?.abortOnFail === true, from };
}

/** Every problem in one set of declarations (empty when all parse). */
export function budgetProblems(decl: Record<string, unknown> | undefined): string[] {
  if (decl === undefined) return [];
  if (typeof decl !== 'object' || decl === null || Array.isArray(decl)) return ['budgets must be an object of metric: limit'];
  return Object.entries(decl).flatMap(([k, v]) => (v === undefined ? [] : [parseBudget(k, v, 'scenario')])).flatMap((r) => ('problem' in r ? [r.problem] : []));
}

/**
 * `--budget` syntax: `metric{scope}<=limit`, optionally followed by `,abortOnFail`
 * (e.g. `longestStallMs{step:contract}<=500,abortOnFail`). `=` is accepted for `<=`.
 */
export function parseBudgetFlag(text: string): { key: string; value: BudgetValue } | { problem: string } {
  const m = /^(.+?)\s*(<=|=)\s*([0-9.eE+-]+)\s*(?:,\s*(abortOnFail))?\s*$/.exec(text);
  if (!m) return { problem: `--budget "${text}" must look like metric<=limit or metric{step:name}<=limit[,abortOnFail]` };
  const limit = Number(m[3]);
  const value: BudgetValue = m[4] ? { limit, abortOnFail: true } : limit;
  const spec = parseBudget(m[1]!, value, 'run');
  return 'problem' in spec ? { problem: `--budget ${spec.problem}` } : { key: m[1]!.trim(), value };
}

const canonical = (s: Pick<BudgetSpec, 'metric' | 'scope'>): string =>
  `${s.metric}{${Object.entries(s.scope).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`).join(',')}}`;

/**
 * Layers of declarations, lowest first (defaults, scenario, config, command line). A later
 * layer replaces an earlier budget on the same metric and scope, however it was spelled
 * (`maxStallMs` and `longestStallMs` are one budget).
 */
export function resolveBudgets(layers: { from: BudgetSource; budgets: Record<string, unknown> | undefined }[]): BudgetSpec[] {
  const byKey = new Map<string, BudgetSpec>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.budgets ?? {})) {
      if (value === undefined) continue;
      const spec = parseBudget(key, value, layer.from);
      if ('problem' in spec) throw new Error(`invalid budget (should have been caught at load): ${spec.problem}`);
      byKey.set(canonical(spec), spec);
    }
  }
  return [...byKey.values()];
}

/** Declarations b over a: a key of b replaces a key of a that names the same budget. */
export function mergeDeclarations(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): BudgetDeclarations {
  const out: Record<string, unknown> = {};
  const keyOf = (k: string) => {
    const p = parseBudgetKey(k);
    return 'problem' in p ? `?${k}` : canonical(p);
  };
  const seen = new Map<string, string>();
  for (const [k, v] of [...Object.entries(a ?? {}), ...Object.entries(b ?? {})]) {
    if (v === undefined) continue;
    const c = keyOf(k);
    const old = seen.get(c);
    if (old !== undefined) delete out[old];
    seen.set(c, k);
    out[k] = v;
  }
  return out as BudgetDeclarations;
}

const toCheck = (spec: BudgetSpec, def: MetricDef, scope: BudgetScope, m: Measured | null): BudgetCheck => {
  const value = m === null ? null : m.value;
  const where = m && scope.step === undefined && (m.step || m.route) ? { ...(m.step ? { step: m.step } : {}), ...(m.route && scope.route === undefined ? { route: m.route } : {}) } : undefined;
  return {
    name: spec.name,
    metric: spec.metric,
    scope: { ...scope },
    unit: def.unit,
    limit: spec.limit,
    value,
    actual: value,
    ok: value === null || withinBudget(value, spec.limit),
    ...(spec.abortOnFail ? { abortOnFail: true } : {}),
    ...(where && Object.keys(where).length ? { where } : {}),
    ...(value === null ? { note: `not measured: ${def.noData}` } : {}),
  };
};

export interface BudgetEvaluation {
  /** One check per budget that applies to this variant; these decide the verdict. */
  checks: BudgetCheck[];
  /** Per step, the unscoped budgets of per-step metrics checked on that step alone. */
  byStep: Map<string, BudgetCheck[]>;
}

/**
 * Checks budgets against one variant's measurements. Budgets scoped to another variant, or to a
 * step the variant does not have (`plannedSteps`), do not apply. `perStep: false` skips the
 * per-step breakdown (live checks only need the verdict).
 */
export function evaluateBudgets(specs: readonly BudgetSpec[], from: MetricInput | MetricFacts, opts: { plannedSteps?: readonly string[]; perStep?: boolean } = {}): BudgetEvaluation {
  const facts = from instanceof MetricFacts ? from : new MetricFacts(from);
  const input = facts.input;
  const checks: BudgetCheck[] = [];
  const byStep = new Map<string, BudgetCheck[]>();
  for (const spec of specs) {
    if (spec.scope.variant !== undefined && spec.scope.variant !== input.variant) continue;
    if (spec.scope.step !== undefined && opts.plannedSteps && !opts.plannedSteps.includes(spec.scope.step)) continue;
    const def = METRICS[spec.metric];
    checks.push(toCheck(spec, def, spec.scope, def.measure(facts, spec.scope)));
    if (!def.perStep || spec.scope.step !== undefined || opts.perStep === false) continue;
    for (const step of input.steps) {
      const scope = { ...spec.scope, step: step.name };
      const m = def.measure(facts, scope);
      if (m === null) continue;
      const list = byStep.get(step.name) ?? [];
      list.push(toCheck(spec, def, scope, m));
      byStep.set(step.name, list);
    }
  }
  return { checks, byStep };
}

/** Checks of the two classic budgets from values already measured (renderer fixtures, old reports). */
export function checkBudgets(budgets: Budgets, actual: { longestStallMs: number; errorRate: number }): BudgetCheck[] {
  const legacy = (name: keyof Budgets): BudgetSpec => ({ name, metric: LEGACY_BUDGETS[name], scope: {}, limit: budgets[name], abortOnFail: false, from: 'default' });
  const [stall, errors] = [legacy('maxStallMs'), legacy('maxErrorRate')];
  return [
    toCheck(stall, METRICS.longestStallMs, {}, { value: actual.longestStallMs }),
    toCheck(errors, METRICS.errorRate, {}, { value: actual.errorRate }),
  ];
}
