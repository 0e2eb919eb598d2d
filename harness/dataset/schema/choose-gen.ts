// Picks the generator of one (non-key-reference) column: allowed values from CHECKs and enums
// first, then what the name says if the type can hold it, then a plain value of the type.
// Limits (typmod, CHECK bounds and lengths) always apply; "must be unique" is honoured by
// generators that carry the row number or walk a permutation.
import { ConstGen, FitGen, PoolGen, type Gen } from './gen.ts';
import type { ColumnFacts } from './checks.ts';
import type { Pools } from './pools.ts';
import { categoryPoolFor, encode } from './pools.ts';
import { semanticOf, tableNoun, type Semantic } from './semantic.ts';
import type { Shape } from './shapes.ts';
import { CodeGen, EmailGen, JoinGen, UrlGen, WordsGen } from './text-gens.ts';
import {
  AfterTimeGen,
  ArrayGen,
  BitGen,
  BoolGen,
  ByteaGen,
  CreatedTimeGen,
  DecimalGen,
  HexGen,
  InetGen,
  IntGen,
  IntervalGen,
  MacGen,
  RandomTimeGen,
  RangeGen,
  SequenceGen,
  SpansGen,
  TIME_WINDOW,
  TimeOfDayGen,
  UuidGen,
  type TimeSource,
} from './value-gens.ts';

export interface ColumnContext {
  seed: number;
  salt: number;
  /** Rows of the table. */
  rows: number;
  pools: Pools;
  table: string;
  column: string;
  shape: Shape;
  facts: ColumnFacts;
  /** Every row must get a distinct value. */
  injective: boolean;
  /** The time of another column of the same row, for "after" columns (updated_at, ends_at). */
  timeOf: (column: string) => TimeSource | undefined;
  /** The table's created_at-like column, if any. */
  createdColumn?: string;
  /** CHECK: this column must be after that one. */
  after?: { column: string; strict: boolean };
}

export type Choice = Gen | { unfillable: string };

const DAY = 86_400;

/** [lo, hi] narrowed by CHECK bounds (exclusive bounds step by `step`). */
function bounds(facts: ColumnFacts, lo: number, hi: number, step: number, typeLo: number, typeHi: number): [number, number] {
  let min = Math.max(typeLo, facts.min !== undefined ? facts.min + (facts.minExclusive ? step : 0) : -Infinity);
  let max = Math.min(typeHi, facts.max !== undefined ? facts.max - (facts.maxExclusive ? step : 0) : Infinity);
  if (!Number.isFinite(min)) min = typeLo;
  if (!Number.isFinite(max)) max = typeHi;
  // The name's sensible range, if it fits inside what the checks allow; else the checks win.
  const a = Math.max(lo, min);
  const b = Math.min(hi, max);
  if (a <= b) return [a, b];
  return [min, Math.min(max, min + Math.max(hi - lo, 1000 * step))];
}

/** Sensible [lo, hi, skew] for numbers by what the name says. */
function numericRange(sem: Semantic | undefined, column: string, isInt: boolean): [number, number, number] {
  const cents = /cents/i.test(column);
  switch (sem) {
    case 'money':
      return isInt ? (cents ? [100, 100_000, 2] : [1, 1000, 2]) : [1, 1000, 2];
    case 'count':
      return [0, 50, 3];
    case 'quantity':
      return [1, 10, 2];
    case 'position':
      return [0, 1000, 1];
    case 'percent':
      return /ratio|probability|share/i.test(column) ? [0, 1, 1] : [0, 100, 1];
    case 'rating':
      return [1, 5, 1];
    case 'age':
      return [18, 90, 1];
    case 'year':
      return [1990, 2025, 1];
    case 'duration':
      return /hour/i.test(column) ? [0, 40, 2] : /min/i.test(column) ? [1, 600, 2] : /ms|milli/i.test(column) ? [1, 5000, 2] : [1, 3600, 2];
    case 'version':
      return [1, 20, 3];
    case 'latitude':
      return [-90, 90, 1];
    case 'longitude':
      return [-180, 180, 1];
    case 'createdAt':
    case 'updatedAt':
    case 'deletedAt':
    case 'at':
    case 'futureAt':
      return [TIME_WINDOW.startSec, TIME_WINDOW.endSec, 1]; // epoch seconds in an integer column
    default:
      return [0, 1000, 2];
  }
}

function textGen(ctx: ColumnContext, sem: Semantic | undefined, maxChars: number | null): Gen {
  const { seed, salt, pools } = ctx;
  const pool = (name: string, skew = 1) => new PoolGen(seed, salt, pools.bytes(name), skew);
  const join = (names: string[], sep: number | null, unique = false) => new JoinGen(seed, salt, names.map((n) => pools.bytes(n)), sep, unique);
  switch (sem) {
    case 'email':
      return new EmailGen(seed, salt, pools, ctx.injective);
    case 'firstName':
      return pool('firstName');
    case 'lastName':
      return pool('lastName');
    case 'fullName':
      return join(['firstName', 'lastName'], 32);
    case 'username':
      return join(['emailFirst', 'emailLast'], 95, ctx.injective);
    case 'phone':
      return pool('phone');
    case 'url':
      return new UrlGen(seed, salt, pools, false);
    case 'imageUrl':
      return new UrlGen(seed, salt, pools, true);
    case 'country':
      return pool('country', 2);
    case 'countryCode':
      return pool('countryCode', 2);
    case 'city':
      return pool('city');
    case 'region':
      return pool('region');
    case 'address':
      return pool('address');
    case 'zip':
      return pool('zip');
    case 'company':
      return pool('company');
    case 'jobTitle':
      return pool('jobTitle');
    case 'title':
      return pool('title');
    case 'longText':
      return pool('longText');
    case 'slug':
      return join(['word', 'word', 'word'], 45, ctx.injective);
    case 'token':
      return new HexGen(seed, salt, maxChars !== null && maxChars < 64 ? Math.max(12, Math.min(maxChars, 32)) : 64, ctx.injective);
    case 'passwordHash':
      return new HexGen(seed, salt, 53, false, Buffer.from('$2b$10$', 'latin1'));
    case 'ip':
      return new InetGen(seed, salt, false);
    case 'currency':
      return pool('currency', 2);
    case 'locale':
      return pool('locale');
    case 'timezone':
      return pool('timezone', 2);
    case 'color':
      return new HexGen(seed, salt, 6, false, Buffer.from('#', 'latin1'));
    case 'category':
      return pool(categoryPoolFor(ctx.column), 2);
    case 'externalId':
      return new HexGen(seed, salt, 24, ctx.injective, Buffer.from(`${ctx.column.replace(/_?id$/i, '').slice(0, 3).toLowerCase() || 'id'}_`, 'latin1'));
    case 'code':
      return new CodeGen(seed, salt, maxChars !== null ? Math.min(maxChars, 10) : 10);
    case 'fileName':
      return pool('fileName');
    case 'mimeType':
      return pool('mimeType', 2);
    case 'userAgent':
      return pool('userAgent', 2);
    case 'domain':
      return pool('domain');
    case 'json':
      return pool('json');
    case 'name': {
      const noun = tableNoun(ctx.table);
      return noun === 'person' ? join(['firstName', 'lastName'], 32) : noun === 'organization' ? pool('company') : pool('thingName');
    }
    default:
      return new WordsGen(seed, salt, pools.bytes('word'), 1, 4);
  }
}

function timeGen(ctx: ColumnContext, sem: Semantic | undefined, format: 'timestamptz' | 'timestamp' | 'date'): Gen {
  const { seed, salt } = ctx;
  if (ctx.after) {
    const base = ctx.timeOf(ctx.after.column);
    if (base) return new AfterTimeGen(seed, salt, base, format, 30 * DAY, ctx.after.strict ? (format === 'date' ? DAY : 1) : 0);
  }
  if (ctx.injective) return new CreatedTimeGen(seed, salt, ctx.rows, format, TIME_WINDOW.startSec, Math.max(ctx.rows * (format === 'date' ? DAY : 1), TIME_WINDOW.endSec - TIME_WINDOW.startSec), true);
  if (sem === 'createdAt') return new CreatedTimeGen(seed, salt, ctx.rows, format);
  // Rendered times start in 1970 (byte-writer.ts), so the oldest birthdays are 1970's.
  if (sem === 'birthDate') return new RandomTimeGen(seed, salt, format, Date.UTC(1970, 0, 1) / 1000, Date.UTC(2006, 0, 1) / 1000);
  const created = ctx.createdColumn && ctx.createdColumn !== ctx.column ? ctx.timeOf(ctx.createdColumn) : undefined;
  if (created && (sem === 'updatedAt' || sem === 'deletedAt' || sem === 'at')) return new AfterTimeGen(seed, salt, created, format, 365 * DAY);
  if (created && sem === 'futureAt') return new AfterTimeGen(seed, salt, created, format, 90 * DAY);
  return new RandomTimeGen(seed, salt, format);
}

/** A generator that is not a key reference; `unfillable` says why none fits. */
export function chooseGen(ctx: ColumnContext): Choice {
  const { seed, salt, shape, facts } = ctx;
  const sem = semanticOf(ctx.column);
  const values = facts.values ?? (shape.kind === 'enum' ? shape.labels : undefined);
  if (values) {
    const allowed = values.filter((v) => !facts.notValues?.includes(v));
    if (!allowed.length) return { unfillable: 'its CHECK allows no value' };
    return new PoolGen(seed, salt, allowed.map(encode), allowed.length > 2 ? 2 : 1);
  }
  if (facts.spans?.length && (shape.kind === 'int' || shape.kind === 'time')) {
    return new SpansGen(seed, salt, facts.spans, shape.kind === 'int' ? 'int' : shape.format, shape.kind === 'int' ? 1000 : 365 * DAY);
  }
  switch (shape.kind) {
    case 'int': {
      if (ctx.injective) {
        const lo = Math.max(shape.min, facts.min !== undefined ? facts.min + (facts.minExclusive ? 1 : 0) : 1);
        return new SequenceGen(lo, 1);
      }
      const [lo, hi, k] = numericRange(sem, ctx.column, true);
      const [a, z] = bounds(facts, lo, hi, 1, shape.min, shape.max);
      return new IntGen(seed, salt, a, z, k);
    }
    case 'numeric':
    case 'float':
    case 'money': {
      // Values are rendered from safe integers of 10^-scale units: at most 6 decimals (Prisma's
      // Decimal is numeric(65,30)) and 12 integer digits, whatever the type allows beyond that.
      const typeScale = shape.kind === 'numeric' ? (shape.scale ?? 2) : shape.kind === 'money' ? 2 : sem === 'latitude' || sem === 'longitude' ? 6 : 4;
      const scale = Math.min(typeScale, 6);
      const unit = 10 ** scale;
      const limit = Math.min(shape.kind === 'numeric' && shape.precision ? 10 ** (shape.precision - typeScale) - 1 / unit : 1e12, 1e12);
      if (ctx.injective) {
        const hi = Math.min(Math.floor(limit), 2 ** 50);
        if (hi < ctx.rows) return { unfillable: `a unique ${shape.kind} this narrow holds at most ${hi} distinct values, fewer than the ${ctx.rows} rows asked` };
        return new IntGen(seed, salt, 1, hi, 1, ctx.rows);
      }
      const [lo, hi, k] = numericRange(sem, ctx.column, false);
      const [a, z] = bounds(facts, lo, hi, 1 / unit, -limit, limit);
      return new DecimalGen(seed, salt, Math.ceil(a * unit), Math.floor(z * unit), scale, k);
    }
    case 'text': {
      const maxChars = Math.min(shape.maxChars ?? Infinity, facts.maxLength ?? Infinity);
      let gen = textGen(ctx, sem, Number.isFinite(maxChars) ? maxChars : null);
      const needsRoom = gen.maxChars > maxChars;
      const needsUnique = ctx.injective && !gen.unique;
      // Every text generator writes at least one character, so only longer minimums need fitting.
      if (needsRoom || needsUnique || (facts.minLength ?? 0) > 1) {
        const room = Number.isFinite(maxChars) ? maxChars : gen.maxChars + 20;
        // A unique generator cut short would lose what makes it unique: re-suffix it.
        gen = new FitGen(gen, { maxChars: room, minChars: facts.minLength, uniqueRows: ctx.injective && (needsUnique || needsRoom) ? ctx.rows : 0 });
      }
      return gen;
    }
    case 'bool':
      return new BoolGen(seed, salt, /^(is_?|has_?)?(active|enabled|verified|confirmed|visible|published|available|valid|approved|public|subscribed|opted_in)/i.test(ctx.column) ? 0.85 : /(deleted|archived|admin|blocked|banned|locked|suspended|test|spam|flagged|hidden|private|staff|superuser)/i.test(ctx.column) ? 0.08 : 0.5);
    case 'uuid':
      return new UuidGen(seed, salt, ctx.injective);
    case 'time':
      return timeGen(ctx, sem, shape.format);
    case 'timeofday':
      return new TimeOfDayGen(seed, salt);
    case 'interval':
      return new IntervalGen(seed, salt);
    case 'json':
      return new PoolGen(seed, salt, ctx.pools.bytes('json'));
    case 'bytea':
      return new ByteaGen(seed, salt, 32);
    case 'inet':
    case 'cidr':
      return new InetGen(seed, salt, shape.kind === 'cidr');
    case 'macaddr':
    case 'macaddr8':
      return new MacGen(seed, salt, shape.kind === 'macaddr' ? 6 : 8);
    case 'tsvector':
      return new WordsGen(seed, salt, ctx.pools.bytes('word'), 3, 12);
    case 'ltree':
      return new WordsGen(seed, salt, ctx.pools.bytes('word'), 1, 4, 46);
    case 'xml':
      return new JoinGen(seed, salt, [[Buffer.from('<note>')], ctx.pools.bytes('word'), [Buffer.from('</note>')]], null, false);
    case 'point':
      return new JoinGen(seed, salt, [[Buffer.from('(')], ctx.pools.bytes('zip').map((z) => Buffer.from(z.toString().replace(/\D/g, '') || '0')), [Buffer.from(',0)')]], null, false);
    case 'hstore':
      return new JoinGen(seed, salt, [ctx.pools.bytes('word'), [Buffer.from('=>')], ctx.pools.bytes('word')], null, false);
    case 'bit':
      return new BitGen(seed, salt, shape.bits, shape.varying);
    case 'array': {
      const e = shape.elem;
      const elemCtx = { ...ctx, shape: e, injective: false, facts: {}, salt: salt ^ 0x5bd1e995 };
      if (e.kind === 'text') return new ArrayGen(seed, salt, /tag|label|keyword|categor|topic/i.test(ctx.column) ? new PoolGen(seed, elemCtx.salt, ctx.pools.bytes('word')) : new WordsGen(seed, elemCtx.salt, ctx.pools.bytes('word'), 1, 1), 0, 4, true);
      if (e.kind === 'enum') return new ArrayGen(seed, salt, new PoolGen(seed, elemCtx.salt, e.labels.map((l) => Buffer.from(l.replace(/[\\"]/g, ''), 'utf8'))), 0, Math.min(3, e.labels.length), true);
      if (['int', 'uuid', 'numeric', 'float', 'bool', 'time', 'inet'].includes(e.kind)) {
        const inner = chooseGen(elemCtx);
        if ('unfillable' in inner) return inner;
        return new ArrayGen(seed, salt, inner, 0, 4, e.kind === 'time');
      }
      return { unfillable: `no generator for arrays of ${e.kind === 'unknown' ? e.name : e.kind}` };
    }
    case 'range': {
      const s = shape.sub;
      if (s.kind === 'int' || s.kind === 'numeric') return new RangeGen(seed, salt, new IntGen(seed, salt ^ 1, 0, 10_000), 'int');
      if (s.kind === 'time') return new RangeGen(seed, salt, new RandomTimeGen(seed, salt ^ 1, s.format), s.format);
      return { unfillable: 'no generator for this range subtype' };
    }
    case 'enum':
      return new ConstGen(Buffer.from('')); // unreachable: enums take the values branch
    case 'unknown':
      return { unfillable: `no generator for type ${shape.name}` };
  }
}
