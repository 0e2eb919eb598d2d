// Static checks of one query parameter: a literal, or a generator descriptor with sane
// arguments (a pick() that parses, a faker method that exists, min ≤ max…). Each problem is a
// sentence; resolve.ts collects them with the query they belong to.
import type { Faker } from '@faker-js/faker';
import { GENERATOR_KINDS, isGenerator } from './generators.ts';
import { nearMatches, parseColumnRef, parseTableRef } from './names.ts';

const didYouMean = (name: string, candidates: string[]) => {
  const near = nearMatches(name, candidates);
  return near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(', ')}?)` : '';
};

export function checkParam(p: unknown, label: string, add: (m: string) => void, f: Faker): void {
  if (typeof p === 'function') return add(`${label} is a function: generators are data, use pick(), int(), oneOf()… from 'rehearse'`);
  if (p === null || ['string', 'number', 'boolean'].includes(typeof p)) {
    if (typeof p === 'number' && !Number.isFinite(p)) add(`${label} must be a finite number`);
    return;
  }
  if (Array.isArray(p)) {
    p.forEach((x, i) => checkParam(x, `${label}[${i}]`, add, f));
    return;
  }
  if (!isGenerator(p)) return add(`${label} is an object but not a generator: use constant(value) or json(value) for a JSON document`);
  const g = p as Record<string, unknown> & { gen: string };
  const kinds: readonly string[] = GENERATOR_KINDS;
  if (!kinds.includes(g.gen)) return add(`${label}: unknown generator "${g.gen}"${didYouMean(g.gen, [...kinds])} (known: ${kinds.join(', ')})`);
  const num = (k: string) => typeof g[k] === 'number' && Number.isFinite(g[k]);
  const prob = (k: string) => num(k) && (g[k] as number) >= 0 && (g[k] as number) <= 1;
  switch (g.gen) {
    case 'pick':
      if (typeof g.ref !== 'string' || !parseColumnRef(g.ref)) add(`${label}: pick(${JSON.stringify(g.ref)}) must name a column as "table.column" or "schema.table.column" (quote mixed case: '"Booking"."userId"')`);
      break;
    case 'row':
      if (typeof g.table !== 'string' || !parseTableRef(g.table)) add(`${label}: pickRow(${JSON.stringify(g.table)}) must name a table as "table" or "schema.table"`);
      if (typeof g.column !== 'string' || !g.column) add(`${label}: .col() needs a column name`);
      else if (Array.isArray(g.columns) && !g.columns.includes(g.column)) add(`${label}: .col("${g.column}") is not one of the columns given to pickRow (${g.columns.join(', ')})`);
      break;
    case 'int':
      if (!Number.isSafeInteger(g.min) || !Number.isSafeInteger(g.max) || (g.min as number) > (g.max as number)) add(`${label}: int(min, max) needs safe integers with min ≤ max`);
      break;
    case 'float':
      if (!num('min') || !num('max') || (g.min as number) > (g.max as number)) add(`${label}: float(min, max) needs numbers with min ≤ max`);
      break;
    case 'oneOf': {
      const values = g.values as unknown[];
      const weights = g.weights as unknown[] | undefined;
      if (!Array.isArray(values) || values.length === 0) add(`${label}: oneOf() needs a non-empty list of values`);
      else if (weights !== undefined && (!Array.isArray(weights) || weights.length !== values.length || weights.some((w) => typeof w !== 'number' || !(w >= 0)) || !(weights as number[]).some((w) => w > 0))) {
        add(`${label}: oneOf() weights must be one number ≥ 0 per value, not all 0`);
      }
      break;
    }
    case 'bool':
      if (!prob('pTrue')) add(`${label}: bool(p) needs 0 ≤ p ≤ 1`);
      break;
    case 'faker': {
      const fn = typeof g.method === 'string' ? g.method.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], f) : undefined;
      if (typeof fn !== 'function') {
        add(`${label}: faker(${JSON.stringify(g.method)}) is not a faker method (e.g. "person.fullName", "internet.email")`);
        break;
      }
      try {
        (fn as (...a: unknown[]) => unknown)(...((g.args as unknown[]) ?? []));
      } catch (err) {
        add(`${label}: faker(${JSON.stringify(g.method)}) failed with these arguments: ${(err as Error).message}`);
      }
      if (g.pool !== undefined && !(Number.isSafeInteger(g.pool) && (g.pool as number) > 0)) add(`${label}: faker pool must be a positive integer`);
      break;
    }
    case 'text':
      if (!Number.isSafeInteger(g.min) || !Number.isSafeInteger(g.max) || (g.min as number) < 1 || (g.min as number) > (g.max as number)) add(`${label}: text(min, max) needs integers with 1 ≤ min ≤ max`);
      break;
    case 'now':
      if (!num('offsetSeconds')) add(`${label}: now(offsetSeconds) needs a number`);
      break;
    case 'timestamp': case 'date': {
      const from = Date.parse(String(g.from));
      const to = Date.parse(String(g.to));
      if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) add(`${label}: ${g.gen}(from, to) needs two ISO dates with from ≤ to`);
      break;
    }
    case 'seq':
      if (g.start !== undefined && !Number.isSafeInteger(g.start)) add(`${label}: seq({ start }) needs a safe integer`);
      if (g.prefix !== undefined && typeof g.prefix !== 'string') add(`${label}: seq({ prefix }) needs a string`);
      break;
    case 'const':
      try {
        JSON.stringify(g.value);
      } catch {
        add(`${label}: constant() needs a JSON value`);
      }
      break;
    case 'nullable':
      if (!prob('p')) add(`${label}: nullable(p, of) needs 0 ≤ p ≤ 1`);
      checkParam(g.of, `${label}.of`, add, f);
      break;
    case 'array':
      if (!Number.isSafeInteger(g.min) || !Number.isSafeInteger(g.max) || (g.min as number) < 0 || (g.min as number) > (g.max as number)) add(`${label}: array(of, min, max) needs integers with 0 ≤ min ≤ max`);
      checkParam(g.of, `${label}.of`, add, f);
      break;
    case 'json':
      walkJson(g.value, `${label}`, add, f);
      break;
  }
}

function walkJson(v: unknown, label: string, add: (m: string) => void, f: Faker): void {
  if (isGenerator(v)) return checkParam(v, label, add, f);
  if (typeof v === 'function') return add(`${label} is a function: generators are data`);
  if (Array.isArray(v)) return v.forEach((x, i) => walkJson(x, `${label}[${i}]`, add, f));
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkJson(x, `${label}.${k}`, add, f);
}
