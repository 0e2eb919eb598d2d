// Loads a plan the way pg_restore would: drop FKs, then index-backed constraints and indexes;
// per table one transaction of TRUNCATE + COPY … FREEZE (rows written frozen and all-visible,
// as on a long-lived table); recreate indexes, then FKs, with their captured definitions; move
// sequences past the loaded keys; VACUUM (ANALYZE). Tables are spread over two connections
// (largest first), so the server's two cores ingest and build indexes side by side.
//
// Row triggers must not fire during the load (they would make the data depend on trigger code
// and slow COPY down): each table's user triggers are disabled inside its load transaction and
// restored to their exact previous state (ENABLE, ALWAYS, REPLICA or DISABLED) before COMMIT,
// so no other session ever sees them off. The final fingerprint check proves they came back.
import type pg from 'pg';
import { RehearseError, sqlstateOf } from '../../errors.ts';
import { CopyTextStream, copyInto } from '../../seed/copy-stream.ts';
import type { SeedProgress } from '../types.ts';
import { quoteIdent } from './catalog.ts';
import { captureDefinitions, definitionFingerprint, type Definition } from './definitions.ts';
import type { SeedPlan, TablePlan } from './plan.ts';
import { TableRows } from './table-rows.ts';

export interface LoadOptions {
  seed: number;
  signal: AbortSignal;
  emit: (p: SeedProgress) => void;
  timed: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

const PROGRESS_EVERY_MS = 500;

/** Greedy split by estimated bytes, largest first, so both connections finish together. */
function split<T>(items: T[], weight: (t: T) => number, ways: number): T[][] {
  const bins = Array.from({ length: ways }, () => ({ items: [] as T[], load: 0 }));
  for (const it of [...items].sort((a, b) => weight(b) - weight(a))) {
    const bin = bins.reduce((m, b) => (b.load < m.load ? b : m));
    bin.items.push(it);
    bin.load += weight(it);
  }
  return bins.map((b) => b.items);
}

/** A loaded row broke a CHECK / NOT NULL / unique / FK: say which, and how to get past it. */
function constraintError(err: unknown, what: string): unknown {
  const code = sqlstateOf(err);
  if (!code || !['23502', '23505', '23514', '23503', '23P01', '22001', '22003', '22P02', '22007', '22008'].includes(code)) return err;
  const e = err as { message: string; detail?: string; constraint?: string; table?: string; column?: string };
  return new RehearseError('REH_DATASET_CONSTRAINT_FAILED', `${what}: ${e.message}${e.detail ? ` (${e.detail})` : ''}`, {
    cause: err,
    hint: `The generator could not infer this rule${e.constraint ? ` (constraint ${e.constraint})` : ''}; add an override for the column it concerns, e.g. columns: { "${e.table ?? 'table'}.${e.column ?? 'column'}": { values: [...] } } or { sql: "…" }.`,
  });
}

async function loadTable(c: pg.ClientBase, t: TablePlan, opts: LoadOptions, onRows: (src: TableRows) => void): Promise<number> {
  const { table } = t;
  const triggers = await c.query<{ name: string; enabled: string }>(`SELECT tgname AS name, tgenabled::text AS enabled FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal AND tgparentid = 0`, [table.oid]);
  const partitioned = table.kind === 'p';
  await c.query('BEGIN');
  try {
    await c.query(`TRUNCATE ${partitioned ? '' : 'ONLY '}${table.sql}`);
    if (triggers.rows.length) await c.query(`ALTER TABLE ${table.sql} DISABLE TRIGGER USER`);
    for (const d of t.sqlDefaults) await c.query(`ALTER TABLE ${partitioned ? '' : 'ONLY '}${table.sql} ALTER COLUMN ${quoteIdent(d.column.name)} SET DEFAULT (${d.sql})`);
    if (t.sqlDefaults.length) await c.query('SELECT setseed($1)', [((opts.seed % 2_000_000) / 1_000_000) - 1]);
    const src = new TableRows(t.columns.map((x) => x.gen), t.rows);
    onRows(src);
    let n: number;
    if (t.columns.length === 0) {
      n = (await c.query(`INSERT INTO ${table.sql} SELECT FROM generate_series(1, $1)`, [t.rows])).rowCount ?? 0;
    } else {
      // FREEZE needs the table truncated in this transaction; partitioned parents cannot take it.
      const cols = t.columns.map((x) => quoteIdent(x.column.name)).join(', ');
      n = await copyInto(c, `COPY ${table.sql} (${cols}) FROM STDIN WITH (FORMAT text${partitioned ? '' : ', FREEZE'})`, new CopyTextStream(src), opts.signal);
    }
    for (const d of t.sqlDefaults) {
      const restore = d.column.defaultSql === null ? 'DROP DEFAULT' : `SET DEFAULT ${d.column.defaultSql}`;
      await c.query(`ALTER TABLE ${partitioned ? '' : 'ONLY '}${table.sql} ALTER COLUMN ${quoteIdent(d.column.name)} ${restore}`);
    }
    for (const tg of triggers.rows) {
      const how = { O: 'ENABLE', A: 'ENABLE ALWAYS', R: 'ENABLE REPLICA', D: 'DISABLE' }[tg.enabled] ?? 'ENABLE';
      await c.query(`ALTER TABLE ${table.sql} ${how} TRIGGER ${quoteIdent(tg.name)}`);
    }
    await c.query('COMMIT');
    return n;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw constraintError(err, `loading ${t.key}`);
  }
}

/** Runs each connection's share in order, the shares side by side; the first failure stops the rest. */
async function onEach<T>(clients: pg.ClientBase[], shares: T[][], signal: AbortSignal, fn: (c: pg.ClientBase, item: T) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const results = await Promise.allSettled(
    shares.map(async (share, i) => {
      for (const item of share) {
        signal.throwIfAborted();
        abort.signal.throwIfAborted();
        await fn(clients[i]!, item).catch((err) => {
          abort.abort(err);
          throw err;
        });
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw abort.signal.reason ?? failed.reason;
}

export async function loadPlan(clients: pg.ClientBase[], plan: SeedPlan, opts: LoadOptions): Promise<Record<string, number>> {
  const [a] = clients;
  const loaded = plan.tables.filter((t) => !t.keep);
  const oids = loaded.map((t) => t.table.oid);
  const plain = loaded.filter((t) => t.table.kind === 'r').map((t) => t.table.oid);
  const before = await definitionFingerprint(a!, oids);
  const defs = await opts.timed('drop-indexes', async () => {
    const d = await captureDefinitions(a!, oids, plain);
    await a!.query('BEGIN');
    for (const def of [...d.filter((x) => x.kind === 'fk'), ...d.filter((x) => x.kind !== 'fk')]) await a!.query(def.drop);
    await a!.query('COMMIT');
    return d;
  });

  // COPY, with progress over all tables.
  const total = loaded.reduce((s, t) => s + t.rows, 0);
  const sources: TableRows[] = [];
  let current = '';
  const copyStart = performance.now();
  const rendered = () => sources.reduce((s, x) => s + x.rendered, 0);
  const tick = () => {
    const rows = rendered();
    const ms = performance.now() - copyStart;
    opts.emit({ phase: 'copy', table: current, rows, total, rowsPerSec: ms > 0 ? Math.round((rows * 1000) / ms) : 0 });
  };
  const ticker = setInterval(tick, PROGRESS_EVERY_MS);
  const counts: Record<string, number> = {};
  try {
    const weight = (t: TablePlan) => t.rows * t.columns.reduce((s, c) => s + Math.min(c.gen.maxBytes, 64), 8);
    await opts.timed('copy', () =>
      onEach(clients, split(loaded, weight, clients.length), opts.signal, async (c, t) => {
        current = t.key;
        counts[t.key] = await opts.timed(`copy:${t.key}`, () => loadTable(c, t, opts, (src) => sources.push(src)));
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  tick();
  for (const t of plan.tables.filter((x) => x.keep)) counts[t.key] = t.rows;

  // Indexes and index-backed constraints per table, tables side by side; then FKs (they need the parents' keys).
  const byTable = new Map<number, Definition[]>();
  for (const d of defs.filter((x) => x.kind !== 'fk')) byTable.set(d.table, [...(byTable.get(d.table) ?? []), d]);
  const rowsOf = new Map(loaded.map((t) => [t.table.oid, t.rows]));
  const recreate = async (c: pg.ClientBase, d: Definition) => {
    const phase = `${d.kind === 'fk' ? 'fk-add' : 'index'}:${d.name}`;
    if (d.kind !== 'fk') opts.emit({ phase, rows: 0, total: rowsOf.get(d.table) ?? 0, rowsPerSec: 0 });
    try {
      await opts.timed(phase, async () => {
        for (const sql of d.create) await c.query(sql);
      });
    } catch (err) {
      throw constraintError(err, `recreating ${d.name} after the load`);
    }
  };
  await opts.timed('index', () => onEach(clients, split([...byTable.values()], (ds) => rowsOf.get(ds[0]!.table) ?? 0, clients.length), opts.signal, async (c, ds) => {
    for (const d of ds) await recreate(c, d);
  }));
  // FKs: added NOT VALID on one connection (catalog only; two sessions adding FKs deadlock on
  // their SHARE ROW EXCLUSIVE locks), then validated on both. VALIDATE takes SHARE UPDATE
  // EXCLUSIVE on the child and ROW SHARE on the parent, which never deadlock; grouping by child
  // keeps two validations of one table on one connection. Same scan as ADD, half the wall time.
  const fks = defs.filter((d) => d.kind === 'fk');
  await opts.timed('fk', async () => {
    await onEach([a!], [fks], opts.signal, recreate);
    const byChild = new Map<number, Definition[]>();
    for (const d of fks.filter((x) => x.validate)) byChild.set(d.table, [...(byChild.get(d.table) ?? []), d]);
    await onEach(clients, split([...byChild.values()], (ds) => (rowsOf.get(ds[0]!.table) ?? 0) * ds.length, clients.length), opts.signal, async (c, ds) => {
      for (const d of ds) {
        opts.emit({ phase: `fk:${d.name}`, rows: 0, total: rowsOf.get(d.table) ?? 0, rowsPerSec: 0 });
        try {
          await opts.timed(`fk:${d.name}`, () => c.query(d.validate!));
        } catch (err) {
          throw constraintError(err, `validating ${d.name} after the load`);
        }
      }
    });
  });

  opts.emit({ phase: 'sequences', rows: 0, total, rowsPerSec: 0 });
  await opts.timed('sequences', () => moveSequences(a!, loaded));

  opts.emit({ phase: 'vacuum-analyze', rows: 0, total, rowsPerSec: 0 });
  await opts.timed('vacuum-analyze', () =>
    onEach(clients, split(loaded, (t) => t.rows, clients.length), opts.signal, async (c, t) => {
      await c.query(`VACUUM (ANALYZE) ${t.table.sql}`);
    }),
  );
  // Materialized views the baseline populated would still show the empty tables.
  const views = await a!.query<{ v: string }>(`SELECT c.oid::regclass::text AS v FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND c.relispopulated AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY c.oid`);
  for (const { v } of views.rows) {
    opts.emit({ phase: `refresh:${v}`, rows: 0, total: 0, rowsPerSec: 0 });
    await opts.timed(`refresh:${v}`, () => a!.query(`REFRESH MATERIALIZED VIEW ${v}`));
  }
  const after = await definitionFingerprint(a!, oids);
  const lost = before.filter((l) => !after.includes(l));
  const gained = after.filter((l) => !before.includes(l));
  if (lost.length || gained.length) {
    throw new RehearseError('REH_SEED_FAILED', `the schema did not come back identical after the load:\n  before: ${lost.join('\n  before: ')}\n  after: ${gained.join('\n  after: ')}`);
  }
  return counts;
}

/** Identity, serial and nextval() sequences past the highest loaded value (a shared sequence: past all its tables). */
async function moveSequences(c: pg.ClientBase, loaded: TablePlan[]): Promise<void> {
  const bySeq = new Map<string, string[]>();
  for (const t of loaded) {
    for (const col of t.table.columns) {
      if (!col.sequence || !t.columns.some((x) => x.column.num === col.num)) continue;
      const max = `(SELECT max(${quoteIdent(col.name)}) FROM ${t.table.sql})`;
      bySeq.set(col.sequence.name, [...(bySeq.get(col.sequence.name) ?? []), max]);
    }
  }
  for (const [seq, maxes] of bySeq) {
    const top = maxes.length === 1 ? maxes[0] : `GREATEST(${maxes.join(', ')})`;
    await c.query(`SELECT setval('${seq.replace(/'/g, "''")}', m) FROM (SELECT ${top}::bigint AS m) x WHERE m IS NOT NULL`);
  }
}
