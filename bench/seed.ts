// npm run bench:seed -- [--rows N] [--url postgres://…] [--rounds R] [--faker-rows N] [--skip-full] [--schema-roots N] [--skip-schema]
//
// How close does our generator come to what the server can ingest? Side by side, in one run
// and on the same server:
//   (a) the generator streaming the users table into COPY,
//   (b) COPY of the very same bytes, rendered into memory beforehand (the server's ceiling),
//   (c) faker called per value per row (why we use pools),
// plus the full seedDatabase in both connection modes, with per-phase rows/s and peak RSS,
// and the schema-inferred generator on the 11-table example against its own ceiling (schema-seed.ts).
// Without --url it starts a throwaway embedded Postgres (the rehearsal's settings) and removes it.
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Faker, base, en } from '@faker-js/faker';
import type pg from 'pg';
import { pgClient } from '../harness/postgres/client.ts';
import { now } from '../harness/clock.ts';
import { installSignalCleanup } from '../harness/cleanup.ts';
import { startEmbeddedPostgres } from '../harness/postgres/embedded.ts';
import type { PostgresHandle } from '../harness/postgres/provider.ts';
import { ByteWriter } from '../harness/seed/byte-writer.ts';
import { CopyTextStream, NULL_FIELD, copyInto, copySql, escapeCopyText, type RowSource } from '../harness/seed/copy-stream.ts';
import { TIME_WINDOW, USERS } from '../sample-app/dataset/tables.ts';
import { buildPools } from '../sample-app/dataset/pools.ts';
import { createSeedProgress } from '../harness/seed/progress.ts';
import { Dataset } from '../sample-app/dataset/rows.ts';
import { createScratchDatabase } from '../harness/seed/scratch-db.ts';
import { seedDatabase, type SeedResult } from '../sample-app/dataset/seed.ts';
import { benchSchemaSeed } from './schema-seed.ts';

const SEED = 1;

/** Accepts 1000000, 1,000,000 and 1_000_000. */
const count = (name: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/[,_]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The users row shape with faker called for every value of every row: the slow way. */
class FakerUserRows implements RowSource {
  readonly maxRowBytes = 4096;
  rendered = 0;
  private readonly f = new Faker({ locale: [en, base] });

  constructor(readonly total: number) {
    this.f.seed(SEED);
  }

  get done(): boolean {
    return this.rendered >= this.total;
  }

  fill(w: ByteWriter): void {
    const f = this.f;
    const ts = (sec: number) => new Date(sec * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00');
    while (this.rendered < this.total && w.free >= this.maxRowBytes) {
      const id = ++this.rendered;
      const first = f.person.firstName();
      const last = f.person.lastName();
      const email = `${first}.${last}.${id}@${f.internet.domainName()}`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
      const created = f.number.int({ min: TIME_WINDOW.startSec, max: TIME_WINDOW.endSec - 1 });
      const line = [
        id,
        email,
        escapeCopyText(`${first} ${last}`),
        f.number.int({ max: 500_000 }),
        f.datatype.boolean(0.03) ? NULL_FIELD : f.location.countryCode('alpha-2'),
        ts(created),
        f.datatype.boolean(0.4) ? NULL_FIELD : ts(f.number.int({ min: created, max: TIME_WINDOW.endSec - 1 })),
      ].join('\t');
      w.pos += w.buf.write(`${line}\n`, w.pos, 'utf8');
    }
  }
}

interface Measure {
  label: string;
  rows: number;
  bytes?: number;
  ms: number;
}

/** One users-table load exactly as the seed does it: CREATE + COPY FREEZE in one transaction. */
async function copyUsers(c: pg.Client, table: string, body: Readable): Promise<{ rows: number; ms: number }> {
  await c.query(`DROP TABLE IF EXISTS ${table}`);
  await c.query('CHECKPOINT'); // each run starts with no dirty WAL/buffers from the last one
  const t = now();
  await c.query('BEGIN');
  await c.query(USERS.create.replace('CREATE TABLE users', `CREATE TABLE ${table}`));
  const rows = await copyInto(c, copySql(table, USERS.columns, true), body);
  await c.query('COMMIT');
  const ms = now() - t;
  await c.query(`DROP TABLE ${table}`);
  return { rows, ms };
}

async function fullSeed(serverUrl: string, users: number, parallel: boolean): Promise<{ result: SeedResult; rss: { before: number; peak: number; copyMin: number; copyMax: number } }> {
  const db = await createScratchDatabase(serverUrl, 'rehearse_bench');
  try {
    const before = process.memoryUsage.rss();
    let peak = before;
    let copyMin = Infinity;
    let copyMax = 0;
    let copying = false;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      if (copying) {
        copyMin = Math.min(copyMin, rss);
        copyMax = Math.max(copyMax, rss);
      }
    }, 100);
    const show = createSeedProgress();
    const result = await seedDatabase(db.url, {
      users,
      seed: SEED,
      parallel,
      onProgress: (p) => {
        // Past the first 10% the stream is at steady state: RSS should stay flat from there.
        copying = p.phase === 'copy' && p.rows > p.total * 0.1;
        show(p);
      },
    }).finally(() => clearInterval(sampler));
    return { result, rss: { before, peak, copyMin: Number.isFinite(copyMin) ? copyMin : 0, copyMax } };
  } finally {
    await db.drop();
  }
}

function printPhases(label: string, r: SeedResult): void {
  const rowsOf = (phase: string): number => (phase.includes('users') ? r.users : phase.includes('orders') ? r.orders : r.users + r.orders);
  console.log(`\n${label}: ${fmt(r.users)} users + ${fmt(r.orders)} orders in ${r.seconds.toFixed(1)} s = ${fmt(r.rowsPerSec)} rows/s end to end`);
  console.log(`  ${'phase'.padEnd(28)} ${'ms'.padStart(8)} ${'rows/s'.padStart(12)}`);
  for (const [phase, ms] of Object.entries(r.phases)) {
    const rate = ms > 0 && phase !== 'prepare' && phase !== 'sequences' ? fmt((rowsOf(phase) * 1000) / ms) : '';
    console.log(`  ${phase.padEnd(28)} ${fmt(ms).padStart(8)} ${rate.padStart(12)}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      url: { type: 'string' },
      rounds: { type: 'string' },
      'faker-rows': { type: 'string' },
      'skip-full': { type: 'boolean', default: false },
      'schema-roots': { type: 'string' },
      'skip-schema': { type: 'boolean', default: false },
    },
  });
  const rows = count('rows', values.rows, 1_000_000);
  const rounds = count('rounds', values.rounds, 2);
  const fakerRows = Math.min(rows, count('faker-rows', values['faker-rows'], 100_000));

  let server: PostgresHandle | undefined;
  let serverUrl = values.url;
  if (!serverUrl) {
    installSignalCleanup();
    console.log('starting a throwaway embedded Postgres…');
    server = await startEmbeddedPostgres();
    serverUrl = server.url();
  }
  try {
    const admin = pgClient(serverUrl, 'rehearse-bench');
    await admin.connect();
    const settings = await admin.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'fsync', 'wal_level', 'synchronous_commit', 'shared_buffers', 'max_wal_size', 'maintenance_work_mem', 'max_parallel_maintenance_workers') ORDER BY name`,
    );
    await admin.end();
    console.log(`server: ${settings.rows.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(' ')}`);
    console.log(`node ${process.version}, ${rows.toLocaleString('en-US')} users, seed ${SEED}, ${rounds} round(s)\n`);

    // Full seed first, while nothing else is held in memory, so its RSS is its own.
    const full: { label: string; result: SeedResult; rss: Awaited<ReturnType<typeof fullSeed>>['rss'] }[] = [];
    if (!values['skip-full']) {
      for (const parallel of [true, false]) {
        const label = parallel ? 'seedDatabase, two connections' : 'seedDatabase, one connection';
        console.log(`${label}…`);
        full.push({ label, ...(await fullSeed(serverUrl, rows, parallel)) });
      }
    }

    const ds = new Dataset(SEED, rows, buildPools(SEED));
    const measures: Measure[] = [];

    // Render-only: the generator's own ceiling, no server involved (chunks discarded, as the
    // socket would; keeping them all would time the GC instead).
    let bytes = 0;
    const t = now();
    for await (const chunk of new CopyTextStream(ds.userRows())) bytes += (chunk as Buffer).length;
    measures.push({ label: 'render only (generator, no server)', rows, bytes, ms: now() - t });
    const chunks: Buffer[] = [];
    for await (const chunk of new CopyTextStream(ds.userRows())) chunks.push(chunk as Buffer);

    const db = await createScratchDatabase(serverUrl, 'rehearse_bench');
    const c = pgClient(db.url, 'rehearse-bench');
    await c.connect();
    try {
      const best: Record<'a' | 'b', Measure | undefined> = { a: undefined, b: undefined };
      const keep = (k: 'a' | 'b', m: Measure) => {
        if (!best[k] || m.ms < best[k]!.ms) best[k] = m;
      };
      for (let round = 0; round < rounds; round++) {
        // Alternate which goes first so neither always inherits the other's checkpoint debt.
        const order: ('a' | 'b')[] = round % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
        for (const k of order) {
          if (k === 'a') {
            const r = await copyUsers(c, 'bench_users_a', new CopyTextStream(ds.userRows()));
            keep('a', { label: '(a) generator → COPY users', rows: r.rows, bytes, ms: r.ms });
          } else {
            const r = await copyUsers(c, 'bench_users_b', Readable.from(chunks));
            keep('b', { label: '(b) pre-rendered bytes → COPY users', rows: r.rows, bytes, ms: r.ms });
          }
          console.log(`  round ${round + 1} ${k}: ${fmt(rows / ((k === 'a' ? best.a! : best.b!).ms / 1000))} rows/s best so far`);
        }
      }
      chunks.length = 0;
      measures.push(best.a!, best.b!);

      const fr = await copyUsers(c, 'bench_users_c', new CopyTextStream(new FakerUserRows(fakerRows)));
      measures.push({ label: `(c) faker per row → COPY users (${fmt(fakerRows)} rows)`, rows: fr.rows, ms: fr.ms });
    } finally {
      await c.end();
      await db.drop();
    }

    console.log(`\n${'users table'.padEnd(46)} ${'rows/s'.padStart(11)} ${'MB/s'.padStart(7)} ${'seconds'.padStart(8)}`);
    for (const m of measures) {
      const sec = m.ms / 1000;
      const mbs = m.bytes ? (m.bytes / sec / 1e6).toFixed(0) : '';
      console.log(`${m.label.padEnd(46)} ${fmt(m.rows / sec).padStart(11)} ${mbs.padStart(7)} ${sec.toFixed(2).padStart(8)}`);
    }
    const [, a, b] = measures;
    console.log(`\nratio (a)/(b): ${((b!.ms / a!.ms) * 1).toFixed(2)}  (1.00 = the generator costs the server nothing)`);
    console.log(`users rows average ${(bytes / rows).toFixed(1)} bytes; ${mib(bytes)} of COPY text in all`);

    for (const f of full) {
      printPhases(f.label, f.result);
      console.log(`  RSS: ${mib(f.rss.before)} before, ${mib(f.rss.peak)} peak; during COPY (after 10%) ${mib(f.rss.copyMin)}..${mib(f.rss.copyMax)}`);
    }
    if (!values['skip-schema']) {
      await benchSchemaSeed(serverUrl, { schema: 'examples/saas-app/schema.sql', roots: count('schema-roots', values['schema-roots'], 30_000), fullRoots: 0, rounds });
    }
  } finally {
    await server?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
