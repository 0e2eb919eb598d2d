// Turns the workload's generator descriptors into the request factory the load driver calls
// per arrival: choose a route by weight, then draw its params. Everything random comes from the
// driver's seeded rng or from pools drawn once with the run seed, so a run is reproducible.
// Values stay JSON (the body of `POST /q/<route>`); PostgreSQL types them from the SQL.
import { Faker, base, en } from '@faker-js/faker';
import type { RequestFactory, RequestSpec } from '../load/types.ts';
import { hash32 } from '../seed/prng.ts';
import type { Catalog } from './catalog.ts';
import { resolveColumnRef, resolveRowColumn } from './catalog.ts';
import { describeParam, forEachGenerator, isGenerator, type Param } from './generators.ts';
import type { ResolvedRoute } from './resolve.ts';
import type { SampleRequest, TableSample } from './sample.ts';

const POOL_SIZE = 1000;

type Rng = () => number;
/** Per request: which sampled row each pickRow handle drew. */
type Draw = (rng: Rng, rows: Map<string, number>) => unknown;

export interface FactoryInputs {
  routes: Record<string, ResolvedRoute>;
  catalog: Catalog;
  samples: Map<string, TableSample>;
  seed: number;
  /** Unique per run and variant, for seq({ prefix }). */
  tag: string;
}

/** What to sample for a workload: the tables and columns its pick()/pickRow() name. */
export function sampleRequests(routes: Record<string, ResolvedRoute>, catalog: Catalog): SampleRequest[] {
  const out: SampleRequest[] = [];
  for (const [route, r] of Object.entries(routes)) {
    forEachGenerator(r.params, (g) => {
      const found = g.gen === 'pick' ? resolveColumnRef(catalog, g.ref) : g.gen === 'row' ? resolveRowColumn(catalog, g.table, g.column) : null;
      if (found?.ok) {
        const { table, column } = found.value;
        out.push({ schema: table.schema, table: table.name, columns: [column.name], askedBy: `query "${route}": ${describeParam(g)}` });
      }
    });
  }
  return out;
}

export function createWorkloadFactory(i: FactoryInputs): RequestFactory {
  const routes = Object.entries(i.routes).filter(([, r]) => r.weight > 0);
  const compiled = routes.map(([name, r], ri) => ({
    spec: { route: name, method: 'POST' as const, path: `/q/${encodeURIComponent(name)}` },
    weight: r.weight,
    params: r.params.map((p, pi) => compile(p, i, hash32(i.seed, ri, pi))),
  }));
  const total = compiled.reduce((s, r) => s + r.weight, 0);
  return (rng): RequestSpec => {
    let x = rng() * total;
    let route = compiled[compiled.length - 1]!;
    for (const r of compiled) {
      x -= r.weight;
      if (x < 0) {
        route = r;
        break;
      }
    }
    const rows = new Map<string, number>();
    return { ...route.spec, body: route.params.map((draw) => draw(rng, rows)) };
  };
}

const below = (rng: Rng, n: number) => Math.min(n - 1, Math.floor(rng() * n));

function compile(p: Param, i: FactoryInputs, salt: number): Draw {
  if (!isGenerator(p)) {
    if (Array.isArray(p)) {
      const items = (p as Param[]).map((x, k) => compile(x, i, salt + k + 1));
      return (rng, rows) => items.map((d) => d(rng, rows));
    }
    return () => p;
  }
  switch (p.gen) {
    case 'pick': {
      const r = resolveColumnRef(i.catalog, p.ref);
      if (!r.ok) throw new Error(r.problem); // checked before the load starts
      const s = i.samples.get(`${r.value.table.schema}.${r.value.table.name}`)!;
      const at = s.columns.indexOf(r.value.column.name);
      const values = s.rows.map((row) => row[at]).filter((v): v is string => v !== null);
      if (values.length === 0) return () => null;
      return (rng) => values[below(rng, values.length)];
    }
    case 'row': {
      const r = resolveRowColumn(i.catalog, p.table, p.column);
      if (!r.ok) throw new Error(r.problem); // checked before the load starts
      const s = i.samples.get(`${r.value.table.schema}.${r.value.table.name}`)!;
      const at = s.columns.indexOf(r.value.column.name);
      return (rng, rows) => {
        let k = rows.get(p.row);
        if (k === undefined) rows.set(p.row, (k = below(rng, s.rows.length)));
        return s.rows[k]![at] ?? null;
      };
    }
    case 'int': {
      const { min, max } = p;
      return (rng) => min + Math.floor(rng() * (max - min + 1));
    }
    case 'float': {
      const f = 10 ** (p.decimals ?? 2);
      return (rng) => Math.round((p.min + rng() * (p.max - p.min)) * f) / f;
    }
    case 'oneOf': {
      const w = p.weights ?? p.values.map(() => 1);
      const total = w.reduce((s, x) => s + x, 0);
      return (rng) => {
        let x = rng() * total;
        for (let k = 0; k < p.values.length; k++) if ((x -= w[k]!) < 0) return p.values[k];
        return p.values[p.values.length - 1];
      };
    }
    case 'bool':
      return (rng) => rng() < p.pTrue;
    case 'uuid':
      return (rng) => uuidFrom(rng);
    case 'faker': {
      const f = new Faker({ locale: [en, base] });
      f.seed(salt);
      const fn = p.method.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], f) as (...a: unknown[]) => unknown;
      const pool = Array.from({ length: p.pool ?? POOL_SIZE }, () => jsonValue(fn(...(p.args ?? []))));
      return (rng) => pool[below(rng, pool.length)];
    }
    case 'text': {
      const f = new Faker({ locale: [en, base] });
      f.seed(salt);
      const pool = Array.from({ length: POOL_SIZE }, () => f.lorem.paragraphs(Math.ceil(p.max / 200) + 1, ' '));
      return (rng) => {
        const len = p.min + Math.floor(rng() * (p.max - p.min + 1));
        return pool[below(rng, pool.length)]!.slice(0, len).padEnd(len, '.');
      };
    }
    case 'now':
      return () => new Date(Date.now() + p.offsetSeconds * 1000).toISOString();
    case 'timestamp': case 'date': {
      const from = Date.parse(p.from);
      const span = Date.parse(p.to) - from;
      const asDate = p.gen === 'date';
      return (rng) => {
        const iso = new Date(from + Math.floor(rng() * span)).toISOString();
        return asDate ? iso.slice(0, 10) : iso;
      };
    }
    case 'seq': {
      let n = 0;
      const start = p.start ?? 1;
      const prefix = p.prefix;
      // The run tag, hashed to 6 base-36 characters: short enough for varchar columns, unique enough per variant.
      const run = tagHash(i.tag);
      return prefix !== undefined ? () => `${prefix}${run}-${++n}` : () => start + n++;
    }
    case 'const':
      return () => p.value;
    case 'nullable': {
      const of = compile(p.of, i, salt + 1);
      return (rng, rows) => (rng() < p.p ? null : of(rng, rows));
    }
    case 'array': {
      const of = compile(p.of, i, salt + 1);
      return (rng, rows) => Array.from({ length: p.min + Math.floor(rng() * (p.max - p.min + 1)) }, () => of(rng, rows));
    }
    case 'json': {
      const doc = compileJson(p.value, i, salt);
      return (rng, rows) => JSON.stringify(doc(rng, rows));
    }
  }
}

function compileJson(v: unknown, i: FactoryInputs, salt: number): Draw {
  if (isGenerator(v)) return compile(v, i, salt);
  if (Array.isArray(v)) {
    const items = v.map((x, k) => compileJson(x, i, salt + k + 1));
    return (rng, rows) => items.map((d) => d(rng, rows));
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x], n) => [k, compileJson(x, i, salt + n + 1)] as const);
    return (rng, rows) => Object.fromEntries(entries.map(([k, d]) => [k, d(rng, rows)]));
  }
  return () => v;
}

const tagHash = (tag: string): string => {
  let h = 0x811c9dc5;
  for (let k = 0; k < tag.length; k++) h = Math.imul(h ^ tag.charCodeAt(k), 0x01000193);
  return (h >>> 0).toString(36).padStart(6, '0').slice(-6);
};

/** A faker result as JSON: dates as ISO strings, bigints as decimal strings. */
const jsonValue = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v);

/** A version 4 UUID from the seeded rng (crypto.randomUUID is not reproducible). */
function uuidFrom(rng: Rng): string {
  const hex: string[] = [];
  for (let k = 0; k < 4; k++) hex.push(Math.floor(rng() * 4294967296).toString(16).padStart(8, '0'));
  const h = hex.join('');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
