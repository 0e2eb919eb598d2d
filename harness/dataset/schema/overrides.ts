// Per-column overrides from the config: a faker method path, a weighted list of constants, or
// a SQL expression. SQL expressions become the column's DEFAULT for the duration of the COPY
// (the column is left out of the COPY stream), so the server evaluates them per row in the same
// single pass, with random() seeded by setseed() for repeatability. They cannot refer to other
// columns (PostgreSQL rejects that in a DEFAULT, with a clear message).
import { loadModule, parseSync } from 'libpg-query';
import { ConstGen, PoolGen, type Gen } from './gen.ts';
import { NULL_BYTES } from './gen.ts';
import { encode, type Pools } from './pools.ts';

export type ColumnOverride =
  | string
  | { faker: string }
  | { values: (string | number | boolean | null)[]; weights?: number[] }
  | { sql: string };

/** How many pool slots a weighted list is spread over (weights are honoured to 0.1 %). */
const WEIGHT_SLOTS = 1000;

/** Problems with an override's shape, before anything runs. */
export async function overrideProblems(key: string, o: ColumnOverride, pools: Pools): Promise<string[]> {
  if (typeof o === 'string' || (typeof o === 'object' && o !== null && 'faker' in o)) {
    const path = typeof o === 'string' ? o : o.faker;
    try {
      pools.faker(path, 1);
      return [];
    } catch {
      return [`${key}: faker has no method "${path}" (e.g. 'internet.email', 'person.fullName', 'location.city')`];
    }
  }
  if (typeof o === 'object' && o !== null && 'values' in o) {
    if (!Array.isArray(o.values) || o.values.length === 0) return [`${key}: values must be a non-empty list`];
    if (o.weights && (o.weights.length !== o.values.length || o.weights.some((w) => !(w >= 0)) || !o.weights.some((w) => w > 0))) {
      return [`${key}: weights must be ${o.values.length} non-negative numbers, not all 0`];
    }
    return [];
  }
  if (typeof o === 'object' && o !== null && 'sql' in o && typeof o.sql === 'string') {
    await loadModule();
    try {
      parseSync(`SELECT (${o.sql})`);
      return [];
    } catch (err) {
      return [`${key}: the SQL expression does not parse: ${(err as Error).message}`];
    }
  }
  return [`${key}: an override is a faker path string, { faker }, { values, weights? } or { sql }`];
}

/** The generator of a faker or values override (SQL overrides have none: the server fills them). */
export function overrideGen(o: ColumnOverride, pools: Pools, seed: number, salt: number): Gen | null {
  if (typeof o === 'string') return new PoolGen(seed, salt, pools.faker(o));
  if ('faker' in o) return new PoolGen(seed, salt, pools.faker(o.faker));
  if ('values' in o) {
    const bytes = o.values.map((v) => (v === null ? NULL_BYTES : encode(String(v))));
    if (bytes.length === 1) return new ConstGen(bytes[0]!);
    const weights = o.weights ?? o.values.map(() => 1);
    const total = weights.reduce((a, b) => a + b, 0);
    const slots: Buffer[] = [];
    weights.forEach((w, i) => {
      for (let k = 0; k < Math.round((w / total) * WEIGHT_SLOTS); k++) slots.push(bytes[i]!);
    });
    return new PoolGen(seed, salt, slots.length ? slots : bytes);
  }
  return null;
}

export const isSqlOverride = (o: ColumnOverride): o is { sql: string } => typeof o === 'object' && o !== null && 'sql' in o;
