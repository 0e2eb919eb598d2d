// npm run bench:schema-seed -- [--roots N] [--full-roots N] [--rounds R] [--schema path] [--url postgres://…] [--skip-full]
//
// The schema-inferred generator against the server's ceiling, side by side in one run on one
// server, over every table of a schema (default: the 11-table examples/saas-app/schema.sql):
//   (a) the generator streaming each table into TRUNCATE + COPY … FREEZE,
//   (b) the very same bytes, rendered into memory beforehand, through the same COPY (the ceiling),
// each on one connection and on two (tables split as the seed splits them), indexes dropped as
// in the real load. Then the whole seed end to end (baseline, COPY, indexes, FKs, VACUUM) at
// --full-roots root rows, on two connections and on one.
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { installSignalCleanup } from '../harness/cleanup.ts';
import { captureDefinitions } from '../harness/dataset/schema/definitions.ts';
import type { SeedPlan, TablePlan } from '../harness/dataset/schema/plan.ts';
import { planFromCatalog, schemaDataset } from '../harness/dataset/schema/schema-dataset.ts';
import { readCatalog, quoteIdent } from '../harness/dataset/schema/catalog.ts';
import { TableRows } from '../harness/dataset/schema/table-rows.ts';
import { applyBaseline } from '../harness/migrations/apply-baseline.ts';
import { readSqlSources } from '../harness/migrations/read-sql-sources.ts';
import { startEmbeddedPostgres } from '../harness/postgres/embedded.ts';
import type { PostgresHandle } from '../harness/postgres/provider.ts';
import { CopyTextStream, copyInto } from '../harness/seed/copy-stream.ts';
import { createSeedProgress } from '../harness/seed/progress.ts';
import { createScratchDatabase } from '../harness/seed/scratch-db.ts';
import { pgClient } from '../harness/postgres/client.ts';

const SEED = 1;
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

export interface SchemaBenchOptions {
  schema: string;
  /** Root rows for the generator-vs-ceiling rounds (the ceiling holds every byte in memory). */
  roots: number;
  /** Root rows for the end-to-end seed; 0 skips it. */
  fullRoots: number;
  rounds: number;
}

const copyTable = async (c: pg.ClientBase, t: TablePlan, body: Readable): Promise<number> => {
  await c.query('BEGIN');
  await c.query(`TRUNCATE ONLY ${t.table.sql}`);
  const cols = t.columns.map((x) => quoteIdent(x.column.name)).join(', ');
  const n = await copyInto(c, `COPY ${t.table.sql} (${cols}) FROM STDIN WITH (FORMAT text, FREEZE)`, body);
  await c.query('COMMIT');
  return n;
};

/** Tables split over connections by rows × width, largest first (as the seed does). */
function split(tables: TablePlan[], ways: number): TablePlan[][] {
  const bins = Array.from({ length: ways }, () => ({ t: [] as TablePlan[], w: 0 }));
  const weight = (t: TablePlan) => t.rows * t.columns.reduce((s, c) => s + Math.min(c.gen.maxBytes, 64), 8);
  for (const t of [...tables].sort((a, b) => weight(b) - weight(a))) {
    const bin = bins.reduce((m, b) => (b.w < m.w ? b : m));
    bin.t.push(t);
    bin.w += weight(t);
  }
  return bins.map((b) => b.t);
}

export async function benchSchemaSeed(serverUrl: string, o: SchemaBenchOptions): Promise<void> {
  const files = readSqlSources(o.schema).files;
  const db = await createScratchDatabase(serverUrl, 'rehearse_bench_schema');
  const clients = [pgClient(db.url, 'rehearse-bench'), pgClient(db.url, 'rehearse-bench')];
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const [a, b] = clients as [pg.Client, pg.Client];
    await applyBaseline(a, files);
    const catalog = await readCatalog(a);
    const plan: SeedPlan = await planFromCatalog(a, catalog, { seed: SEED, rows: { default: o.roots, tables: {} } });
    const tables = plan.tables.filter((t) => !t.keep && t.sqlDefaults.length === 0 && t.table.kind === 'r');
    const rows = tables.reduce((s, t) => s + t.rows, 0);
    // As in the real load: no indexes or FKs during COPY, no row triggers.
    const defs = await captureDefinitions(a, tables.map((t) => t.table.oid), tables.map((t) => t.table.oid));
    for (const d of [...defs.filter((x) => x.kind === 'fk'), ...defs.filter((x) => x.kind !== 'fk')]) await a.query(d.drop);
    for (const t of tables) await a.query(`ALTER TABLE ${t.table.sql} DISABLE TRIGGER USER`);
    console.log(`\nschema ${o.schema}: ${tables.length} tables, ${fmt(rows)} rows at ${fmt(o.roots)} roots (fan-out as seeded)`);

    let bytes = 0;
    const t0 = performance.now();
    for (const t of tables) for await (const chunk of new CopyTextStream(new TableRows(t.columns.map((c) => c.gen), t.rows))) bytes += (chunk as Buffer).length;
    const renderMs = performance.now() - t0;
    const chunks = new Map<TablePlan, Buffer[]>();
    for (const t of tables) {
      const list: Buffer[] = [];
      for await (const chunk of new CopyTextStream(new TableRows(t.columns.map((c) => c.gen), t.rows))) list.push(chunk as Buffer);
      chunks.set(t, list);
    }

    const best: Record<string, number> = {};
    const run = async (label: string, ways: 1 | 2, source: 'gen' | 'bytes') => {
      await a.query('CHECKPOINT');
      const start = performance.now();
      await Promise.all(
        split(tables, ways).map(async (share, i) => {
          for (const t of share) {
            const body = source === 'gen' ? new CopyTextStream(new TableRows(t.columns.map((c) => c.gen), t.rows)) : Readable.from(chunks.get(t)!);
            const n = await copyTable(i === 0 ? a : b, t, body);
            if (n !== t.rows) throw new Error(`${t.key}: COPY loaded ${n} rows, expected ${t.rows}`);
          }
        }),
      );
      const ms = performance.now() - start;
      best[label] = Math.min(best[label] ?? Infinity, ms);
      console.log(`  ${label.padEnd(44)} ${fmt((rows * 1000) / ms).padStart(10)} rows/s`);
    };
    for (let r = 0; r < o.rounds; r++) {
      // Alternate who goes first so neither always inherits the other's checkpoint debt.
      const order: ['gen' | 'bytes', 'gen' | 'bytes'] = r % 2 === 0 ? ['gen', 'bytes'] : ['bytes', 'gen'];
      for (const ways of [1, 2] as const) for (const s of order) await run(`${s === 'gen' ? '(a) generator' : '(b) pre-rendered bytes'} → COPY, ${ways} conn`, ways, s);
    }
    chunks.clear();

    console.log(`\n${'all tables of the schema'.padEnd(48)} ${'rows/s'.padStart(11)} ${'MB/s'.padStart(6)} ${'seconds'.padStart(8)}`);
    const line = (label: string, ms: number) => console.log(`${label.padEnd(48)} ${fmt((rows * 1000) / ms).padStart(11)} ${((bytes / ms) * 1e-3).toFixed(0).padStart(6)} ${(ms / 1000).toFixed(2).padStart(8)}`);
    line('render only (generator, no server)', renderMs);
    for (const [label, ms] of Object.entries(best)) line(label, ms);
    for (const ways of [1, 2]) {
      const g = best[`(a) generator → COPY, ${ways} conn`]!;
      const c = best[`(b) pre-rendered bytes → COPY, ${ways} conn`]!;
      console.log(`ratio (a)/(b), ${ways} connection(s): ${(c / g).toFixed(2)}  (1.00 = the generator costs the server nothing)`);
    }
    console.log(`rows average ${(bytes / rows).toFixed(1)} bytes; ${(bytes / 2 ** 20).toFixed(0)} MiB of COPY text in all`);
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
    await db.drop();
  }

  if (o.fullRoots > 0) {
    for (const parallel of [true, false]) {
      const full = await createScratchDatabase(serverUrl, 'rehearse_bench_schema');
      try {

        const r = await schemaDataset({ schema: files, parallel }).seed(full.url, { seed: SEED, rows: { default: o.fullRoots, tables: {} }, onProgress: createSeedProgress() });
        const total = Object.values(r.tables).reduce((s, n) => s + n, 0);
        console.log(`\nschemaDataset end to end, ${parallel ? 'two connections' : 'one connection'}: ${fmt(total)} rows at ${fmt(o.fullRoots)} roots in ${r.seconds.toFixed(1)} s = ${fmt(r.rowsPerSec)} rows/s`);
        for (const p of ['schema', 'catalog', 'plan', 'drop-indexes', 'copy', 'index', 'fk', 'sequences', 'vacuum-analyze']) console.log(`  ${p.padEnd(16)} ${fmt(r.phases[p] ?? 0).padStart(8)} ms`);
      } finally {
        await full.drop();
      }
    }
  }
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      roots: { type: 'string' },
      'full-roots': { type: 'string' },
      rounds: { type: 'string' },
      schema: { type: 'string' },
      url: { type: 'string' },
      'skip-full': { type: 'boolean', default: false },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v.replace(/[,_]/g, '')));
  let server: PostgresHandle | undefined;
  let url = values.url;
  if (!url) {
    installSignalCleanup();
    console.log('starting a throwaway embedded Postgres…');
    server = await startEmbeddedPostgres();
    url = server.url();
  }
  try {
    await benchSchemaSeed(url, {
      schema: values.schema ?? 'examples/saas-app/schema.sql',
      roots: num(values.roots, 50_000),
      fullRoots: values['skip-full'] ? 0 : num(values['full-roots'], 200_000),
      rounds: num(values.rounds, 2),
    });
  } finally {
    await server?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
