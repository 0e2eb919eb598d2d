// A column's type reduced to what a generator needs: its family, limits from the typmod,
// enum labels, and, through domains, the base type plus the domain's NOT NULL and CHECKs.
import type { PgType } from './catalog.ts';

export type Shape =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'numeric'; precision: number | null; scale: number | null }
  | { kind: 'float' }
  | { kind: 'text'; maxChars: number | null; fixed: boolean }
  | { kind: 'bool' }
  | { kind: 'uuid' }
  | { kind: 'time'; format: 'timestamptz' | 'timestamp' | 'date' }
  | { kind: 'timeofday' }
  | { kind: 'interval' }
  | { kind: 'json' }
  | { kind: 'bytea' }
  | { kind: 'inet' | 'cidr' | 'macaddr' | 'macaddr8' | 'tsvector' | 'money' | 'xml' | 'ltree' | 'point' | 'hstore' }
  | { kind: 'bit'; bits: number; varying: boolean }
  | { kind: 'enum'; labels: string[] }
  | { kind: 'array'; elem: Shape }
  | { kind: 'range'; sub: Shape }
  | { kind: 'unknown'; name: string };

export interface ResolvedType {
  shape: Shape;
  /** CHECK expressions of the domains on the way to the base type (they refer to VALUE). */
  domainChecks: string[];
  domainNotNull: boolean;
}

const INT_LIMITS: Record<string, [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  // bigint values beyond 2^53 cannot be rendered exactly from a JS number; nobody needs them here.
  int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  oid: [0, 4294967295],
};

function baseShape(t: PgType, typmod: number): Shape {
  if (INT_LIMITS[t.name]) return { kind: 'int', min: INT_LIMITS[t.name]![0], max: INT_LIMITS[t.name]![1] };
  switch (t.name) {
    case 'numeric':
      return typmod >= 4 ? { kind: 'numeric', precision: ((typmod - 4) >> 16) & 0xffff, scale: (typmod - 4) & 0xffff } : { kind: 'numeric', precision: null, scale: null };
    case 'float4':
    case 'float8':
      return { kind: 'float' };
    case 'text':
    case 'citext':
    case 'name':
      return { kind: 'text', maxChars: t.name === 'name' ? 63 : null, fixed: false };
    case 'varchar':
      return { kind: 'text', maxChars: typmod >= 4 ? typmod - 4 : null, fixed: false };
    case 'bpchar':
      return { kind: 'text', maxChars: typmod >= 4 ? typmod - 4 : 1, fixed: true };
    case 'char':
      return { kind: 'text', maxChars: 1, fixed: true };
    case 'bool':
      return { kind: 'bool' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return { kind: 'time', format: t.name };
    case 'time':
    case 'timetz':
      return { kind: 'timeofday' };
    case 'interval':
      return { kind: 'interval' };
    case 'json':
    case 'jsonb':
      return { kind: 'json' };
    case 'bytea':
      return { kind: 'bytea' };
    case 'bit':
    case 'varbit':
      return { kind: 'bit', bits: typmod > 0 ? typmod : t.name === 'bit' ? 1 : 16, varying: t.name === 'varbit' };
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'macaddr8':
    case 'tsvector':
    case 'money':
    case 'xml':
    case 'ltree':
    case 'point':
    case 'hstore':
      return { kind: t.name };
    default:
      return { kind: 'unknown', name: t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}` };
  }
}

export function resolveType(types: Map<number, PgType>, oid: number, typmod: number): ResolvedType {
  const out: ResolvedType = { shape: { kind: 'unknown', name: String(oid) }, domainChecks: [], domainNotNull: false };
  let t = types.get(oid);
  let mod = typmod;
  for (let depth = 0; t && t.kind === 'd' && depth < 10; depth++) {
    out.domainChecks.push(...t.checks);
    out.domainNotNull ||= t.notNull;
    mod = t.baseTypmod;
    t = types.get(t.base);
  }
  if (!t) return out;
  if (t.elem) {
    const inner = resolveType(types, t.elem, mod);
    out.shape = { kind: 'array', elem: inner.shape };
  } else if (t.kind === 'e') out.shape = { kind: 'enum', labels: t.labels };
  else if (t.kind === 'r') {
    const sub = resolveType(types, t.rangeSubtype, -1).shape;
    out.shape = { kind: 'range', sub };
  } else if (t.kind === 'b') out.shape = baseShape(t, mod);
  else out.shape = { kind: 'unknown', name: `${t.schema}.${t.name}` };
  return out;
}

/** Shapes whose values can be made distinct per row (everything else has a small, finite domain or none). */
export const canBeInjective = (s: Shape): boolean => ['int', 'numeric', 'float', 'text', 'uuid', 'time', 'bytea'].includes(s.kind) && !(s.kind === 'text' && s.maxChars !== null && s.maxChars < 3);
