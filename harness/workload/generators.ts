// Parameter generators of a workload, as plain data: `pick('Booking.uid')` returns
// `{ gen: 'pick', ref: 'Booking.uid' }`, not a closure. So a workload can be validated before
// anything runs (unknown generator, wrong arity), written into a report, and handed between
// processes; the request factory (params.ts) is the one place that turns them into values.

/** A JSON value a parameter can take as it is. */
export type Literal = string | number | boolean | null;

export type Generator =
  | { gen: 'pick'; ref: string }
  | { gen: 'row'; table: string; row: string; column: string; columns?: string[] }
  | { gen: 'int'; min: number; max: number }
  | { gen: 'float'; min: number; max: number; decimals?: number }
  | { gen: 'oneOf'; values: Literal[]; weights?: number[] }
  | { gen: 'bool'; pTrue: number }
  | { gen: 'uuid' }
  | { gen: 'faker'; method: string; args?: unknown[]; pool?: number }
  | { gen: 'text'; min: number; max: number }
  | { gen: 'now'; offsetSeconds: number }
  | { gen: 'timestamp'; from: string; to: string }
  | { gen: 'date'; from: string; to: string }
  | { gen: 'seq'; start?: number; prefix?: string }
  | { gen: 'const'; value: unknown }
  | { gen: 'nullable'; p: number; of: Param }
  | { gen: 'array'; of: Param; min: number; max: number }
  | { gen: 'json'; value: unknown };

/** What a query's `params` list holds: a generator, or a literal passed as it is. */
export type Param = Generator | Literal;

export const GENERATOR_KINDS = [
  'pick', 'row', 'int', 'float', 'oneOf', 'bool', 'uuid', 'faker', 'text', 'now', 'timestamp', 'date', 'seq', 'const', 'nullable', 'array', 'json',
] as const satisfies readonly Generator['gen'][];

/**
 * A value of a column of the seeded data, sampled once when the load starts (a few thousand
 * rows, TABLESAMPLE): `pick('Booking.uid')`, `pick('"Booking"."userId"')`, `pick('billing.invoice.id')`.
 * NULLs are skipped. Each pick draws its own row; use pickRow() for several columns of one row.
 */
export const pick = (ref: string): Generator => ({ gen: 'pick', ref });

let rowSeq = 0;

export interface RowHandle {
  readonly table: string;
  readonly row: string;
  /** A column of the row drawn for this request: every `.col()` of one handle in a query sees the same row. */
  col(column: string): Generator;
}

/**
 * Several columns from the same seeded row: `const b = pickRow('Booking')`, then
 * `params: [b.col('id'), b.col('uid')]`. `columns`, when given, lists the columns `.col()` may name.
 */
export const pickRow = (table: string, columns?: string[]): RowHandle => {
  const row = `${table}#${++rowSeq}`;
  return { table, row, col: (column) => ({ gen: 'row', table, row, column, ...(columns ? { columns } : {}) }) };
};

/** Integer in [min, max], uniform. */
export const int = (min: number, max: number): Generator => ({ gen: 'int', min, max });
/** Number in [min, max), rounded to `decimals` (default 2). */
export const float = (min: number, max: number, decimals = 2): Generator => ({ gen: 'float', min, max, decimals });
/** One of `values`, uniform or by `weights`. */
export const oneOf = (values: Literal[], weights?: number[]): Generator => ({ gen: 'oneOf', values, ...(weights ? { weights } : {}) });
/** true with probability `pTrue` (default 0.5). */
export const bool = (pTrue = 0.5): Generator => ({ gen: 'bool', pTrue });
/** A random v4 UUID. */
export const uuid = (): Generator => ({ gen: 'uuid' });
/**
 * A faker value, e.g. `faker('person.fullName')` or `faker('number.int', { max: 9 })`: a pool of
 * `pool` values (default 1000) is drawn once with the run seed, requests pick from it.
 */
export const faker = (method: string, ...args: unknown[]): Generator => ({ gen: 'faker', method, ...(args.length ? { args } : {}) });
/** Lorem text of `min`..`max` characters (drawn into a pool once). */
export const text = (min = 20, max = 200): Generator => ({ gen: 'text', min, max });
/** The time the request is sent (ISO 8601, UTC), shifted by `offsetSeconds`. */
export const now = (offsetSeconds = 0): Generator => ({ gen: 'now', offsetSeconds });
/** A timestamp between two ISO dates, uniform. */
export const timestamp = (from: string, to: string): Generator => ({ gen: 'timestamp', from, to });
/** A date (YYYY-MM-DD) between two ISO dates, uniform. */
export const date = (from: string, to: string): Generator => ({ gen: 'date', from, to });
/**
 * Unique per request, for inserts: an integer counting up from `start` (default 1), or with a
 * `prefix`, a string `<prefix><run>-<n>`, where `<run>` is 6 characters that differ per variant and run.
 */
export const seq = (opts: { start?: number; prefix?: string } = {}): Generator => ({ gen: 'seq', ...opts });
/** A fixed value; objects and arrays are sent as JSON. */
export const constant = (value: unknown): Generator => ({ gen: 'const', value });
/** NULL with probability `p`, else a value of `of`. */
export const nullable = (p: number, of: Param): Generator => ({ gen: 'nullable', p, of });
/** An array of `min`..`max` values of `of`, for array columns (`int[]`, `text[]`…). */
export const array = (of: Param, min = 1, max = 5): Generator => ({ gen: 'array', of, min, max });
/**
 * A JSON document sent as text (for json/jsonb parameters): `value` is any JSON shape whose
 * leaves may be generators, e.g. `json({ source: oneOf(['web', 'app']), score: int(1, 5) })`.
 */
export const json = (value: unknown): Generator => ({ gen: 'json', value });

export const isGenerator = (p: unknown): p is Generator =>
  typeof p === 'object' && p !== null && !Array.isArray(p) && typeof (p as { gen?: unknown }).gen === 'string';

/** Calls `visit` for every generator in a param, nested ones too (inside nullable, array, json, literal arrays). */
export function forEachGenerator(p: unknown, visit: (g: Generator) => void): void {
  if (Array.isArray(p)) return p.forEach((x) => forEachGenerator(x, visit));
  if (!isGenerator(p)) {
    if (p && typeof p === 'object') Object.values(p).forEach((x) => forEachGenerator(x, visit));
    return;
  }
  visit(p);
  if (p.gen === 'nullable' || p.gen === 'array') forEachGenerator(p.of, visit);
  else if (p.gen === 'json') forEachGenerator(p.value, visit);
}

/** One line for reports, e.g. `pick(Booking.uid)`, `int(1, 5)`. */
export function describeParam(p: Param): string {
  if (!isGenerator(p)) return JSON.stringify(p);
  switch (p.gen) {
    case 'pick': return `pick(${p.ref})`;
    case 'row': return `pickRow(${p.table}).col(${p.column})`;
    case 'int': case 'float': return `${p.gen}(${p.min}, ${p.max})`;
    case 'oneOf': return `oneOf(${p.values.map((v) => JSON.stringify(v)).join(', ')})`;
    case 'bool': return `bool(${p.pTrue})`;
    case 'faker': return `faker(${p.method})`;
    case 'text': return `text(${p.min}, ${p.max})`;
    case 'now': return p.offsetSeconds ? `now(${p.offsetSeconds}s)` : 'now()';
    case 'timestamp': case 'date': return `${p.gen}(${p.from}, ${p.to})`;
    case 'seq': return p.prefix ? `seq(${JSON.stringify(p.prefix)})` : `seq(${p.start ?? 1})`;
    case 'const': return JSON.stringify(p.value);
    case 'nullable': return `nullable(${p.p}, ${describeParam(p.of)})`;
    case 'array': return `array(${describeParam(p.of)}, ${p.min}, ${p.max})`;
    case 'json': return 'json(…)';
    default: return (p as { gen: string }).gen;
  }
}
