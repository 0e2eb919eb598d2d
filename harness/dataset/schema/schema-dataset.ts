// The schema-inferred dataset: apply the baseline to the empty database, read the catalog,
// plan every table's rows and load them (plan.ts, load.ts). One seed number gives identical
// tables: every value is a pure function of (seed, table, column, row).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RehearseError } from '../../errors.ts';
import { applyBaseline } from '../../migrations/apply-baseline.ts';
import { readSqlSources, type SqlFile } from '../../migrations/read-sql-sources.ts';
import type { DatasetSource, RowsSpec, SeedOptions, SeedProgress, SeededDataset } from '../types.ts';
import { readCatalog, type Catalog, type Table } from './catalog.ts';
import { NULL_BYTES } from './gen.ts';
import { loadPlan } from './load.ts';
import type { ColumnOverride } from './overrides.ts';
import { DEFAULT_FANOUT, planSeed, type ReadExisting, type SeedPlan } from './plan.ts';
import { Pools, encode } from './pools.ts';
import { pgClient } from '../../postgres/client.ts';

/** Bumped whenever the bytes a seed renders change; part of the warm-start cache key. */
export const SCHEMA_GENERATOR_VERSION = 1;

export interface SchemaDatasetOptions {
  /** The baseline: a .sql file or migrations directory (read with readSqlSources), or its files in apply order. */
  schema: string | SqlFile[];
  /** Per-column overrides, keyed `table.column` (`Booking.status`, `public."Booking"."userId"`). */
  columns?: Record<string, ColumnOverride>;
  /** Rows per parent row for child tables (default 2, see DEFAULT_FANOUT). */
  fanout?: number;
  /** Load and index on two connections at once (default true). */
  parallel?: boolean;
}

const MAINTENANCE_WORK_MEM = '1GB';

export function schemaDataset(opts: SchemaDatasetOptions): DatasetSource {
  const fanout = opts.fanout ?? DEFAULT_FANOUT;
  if (!(fanout > 0)) throw new RehearseError('REH_CLI_BAD_VALUE', `fanout must be a positive number, got ${fanout}`);
  const files = typeof opts.schema === 'string' ? readSqlSources(opts.schema).files : opts.schema;
  return {
    description: `inferred from ${files.length === 1 ? files[0]!.path : `${files.length} schema files`}`,
    cacheKey: {
      dataset: 'schema',
      generator: SCHEMA_GENERATOR_VERSION,
      schema: files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.sql).digest('hex') })),
      columns: opts.columns ?? {},
      fanout,
    },
    seed: (url, seedOpts) => seedSchema(url, files, { ...opts, schema: files, fanout }, seedOpts),
  };
}

async function seedSchema(url: string, files: SqlFile[], opts: SchemaDatasetOptions & { fanout: number }, so: SeedOptions): Promise<SeededDataset> {
  const { seed } = so;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RehearseError('REH_SEED_FAILED', `seed must be an integer in 0..4294967295, got ${seed}`);
  const started = performance.now();
  const phases: Record<string, number> = {};
  let phase = 'connect';
  const abort = new AbortController();
  const interrupted = () => abort.abort(new RehearseError('REH_INTERRUPTED', `seeding was interrupted during ${phase}`));
  if (so.signal?.aborted) interrupted();
  so.signal?.addEventListener('abort', interrupted);
  const emit = (p: SeedProgress) => {
    try {
      so.onProgress?.(p);
    } catch (err) {
      abort.abort(err);
    }
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    if (!name.includes(':')) phase = name;
    const out = await fn();
    phases[name] = Math.round(performance.now() - t);
    return out;
  };
  const clients: pg.Client[] = [];
  try {
    await timed('connect', async () => {
      for (let i = 0; i < (opts.parallel === false ? 1 : 2); i++) {
        // A dropped connection emits 'error' outside any query; fail the seed, not the process.
        const c = pgClient(url, 'rehearse-seed', { onError: (err) => abort.abort(err) });
        clients.push(c);
      }
      await Promise.all(clients.map((c) => c.connect()));
    });
    const [a] = clients;
    emit({ phase: 'schema', rows: 0, total: 0, rowsPerSec: 0 });
    const baseline = await timed('schema', () => applyBaseline(a!, files, { signal: abort.signal }));
    await Promise.all(clients.map((c) => c.query(`SET statement_timeout = 0; SET lock_timeout = 0; SET maintenance_work_mem = '${MAINTENANCE_WORK_MEM}'`)));
    const catalog = await timed('catalog', () => readCatalog(a!));
    const plan = await timed('plan', () => planFromCatalog(a!, catalog, { seed, rows: so.rows, fanout: opts.fanout, columns: opts.columns }));
    for (const note of [...baseline.notes, ...plan.notes]) so.log?.(note);
    const tables = await loadPlan(clients, plan, { seed, signal: abort.signal, emit, timed });
    const seconds = (performance.now() - started) / 1000;
    const total = Object.values(tables).reduce((s, n) => s + n, 0);
    const result: SeededDataset = { tables, seconds, rowsPerSec: Math.round(total / seconds), phases, notes: [...baseline.notes, ...plan.notes] };
    emit({ phase: 'done', rows: total, total, rowsPerSec: result.rowsPerSec });
    return result;
  } catch (err) {
    try {
      so.onProgress?.({ phase: 'failed', rows: 0, total: 0, rowsPerSec: 0 });
    } catch {
      // The seed's own error matters more than a reporter's.
    }
    if (so.signal?.aborted) throw new RehearseError('REH_INTERRUPTED', `seeding was interrupted during ${phase}`, { cause: err });
    if (err instanceof RehearseError) throw err;
    const why = abort.signal.reason instanceof Error && abort.signal.reason !== err ? abort.signal.reason : err;
    throw new RehearseError('REH_SEED_FAILED', `seeding from the schema failed during ${phase}: ${(why as Error)?.message ?? why}`, { cause: why });
  } finally {
    so.signal?.removeEventListener('abort', interrupted);
    await Promise.allSettled(clients.map((c) => c.end()));
  }
}

/** The load plan for a database whose baseline is applied (the bench renders it without loading). */
export async function planFromCatalog(c: pg.ClientBase, catalog: Catalog, o: { seed: number; rows: RowsSpec; fanout?: number; columns?: Record<string, ColumnOverride> }): Promise<SeedPlan> {
  return planSeed(catalog, { seed: o.seed, rows: o.rows, fanout: o.fanout ?? DEFAULT_FANOUT, overrides: o.columns ?? {} }, new Pools(o.seed), existingReader(c));
}

/** Values of some columns of rows already in a table, in key order, as COPY text. */
function existingReader(c: pg.ClientBase): ReadExisting {
  return async (table: Table | number, columns: number[]) => {
    const oid = typeof table === 'number' ? table : table.oid;
    const names = await c.query<{ num: number; q: string }>(`SELECT attnum::int AS num, quote_ident(attname) AS q FROM pg_attribute WHERE attrelid = $1 AND attnum = ANY($2)`, [oid, columns]);
    const cols = columns.map((n) => names.rows.find((r) => r.num === n)!.q);
    const rel = (await c.query<{ r: string }>('SELECT $1::regclass::text AS r', [oid])).rows[0]!.r;
    const { rows } = await c.query({ text: `SELECT ${cols.map((q) => `${q}::text`).join(', ')} FROM ${rel} ORDER BY ${cols.join(', ')}`, rowMode: 'array' });
    return columns.map((_, k) => rows.map((r: (string | null)[]) => (r[k] === null ? NULL_BYTES : encode(r[k]!))));
  };
}
