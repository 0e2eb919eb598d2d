// Seeds users + orders into an empty database as fast as the server can take it:
// bare tables + COPY FREEZE, then indexes, FK, sequences and VACUUM (ANALYZE) (see dataset.ts).
import type pg from 'pg';
import { pgClient } from '../../harness/postgres/client.ts';
import { now } from '../../harness/clock.ts';
import { RehearseError } from '../../harness/errors.ts';
import { CopyTextStream, copyInto, copySql, type RowSource } from '../../harness/seed/copy-stream.ts';
import { FK_STEP, INDEX_STEPS, ORDERS, USERS, sequenceSql, type LoadStep, type TableName, type TableSpec } from './tables.ts';
import { buildPools } from './pools.ts';
import { Dataset } from './rows.ts';
import type { SeedProgress } from '../../harness/dataset/types.ts';

/** Phases: 'copy', a LoadStep phase such as 'index:users_pkey', 'sequences', 'vacuum-analyze', 'done' or 'failed'. */
export type { SeedProgress };

export interface SeedOptions {
  users: number;
  /** uint32; the same seed and user count give byte-identical tables. */
  seed: number;
  /** Called every ~500 ms during COPY and once at the start of every later phase. */
  onProgress?: (p: SeedProgress) => void;
  /**
   * Load and index users and orders on two connections at once. Default true: on 2 cores it
   * was faster (bench-seed.ts measures both); false runs everything on one connection.
   */
  parallel?: boolean;
  /** Aborted on Ctrl-C: the COPY is cancelled and the seed throws REH_INTERRUPTED. */
  signal?: AbortSignal;
}

export interface SeedResult {
  users: number;
  orders: number;
  seconds: number;
  /** (users + orders) / seconds, end to end including indexes and ANALYZE. */
  rowsPerSec: number;
  /** Milliseconds per phase; group phases ('copy', 'index') are wall time of their parts. */
  phases: Record<string, number>;
}

const PROGRESS_EVERY_MS = 500;
/** Index builds sort in memory up to this; 10M emails fit, and the machine has the RAM. */
const MAINTENANCE_WORK_MEM = '1GB';

export async function seedDatabase(connectionString: string, opts: SeedOptions): Promise<SeedResult> {
  const { users, seed, onProgress, parallel = true } = opts;
  if (!Number.isSafeInteger(users) || users < 1) {
    throw new RehearseError('REH_SEED_FAILED', `users must be a positive integer, got ${users}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RehearseError('REH_SEED_FAILED', `seed must be an integer in 0..4294967295, got ${seed}`);
  }

  const started = now();
  const phases: Record<string, number> = {};
  let phase = 'prepare';
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = now();
    const out = await fn();
    phases[name] = Math.round(now() - t);
    return out;
  };
  const abort = new AbortController();
  const clients: pg.Client[] = [];
  // A throwing reporter fails the seed (after the current statement) rather than the process.
  const emit = (p: SeedProgress): void => {
    try {
      onProgress?.(p);
    } catch (err) {
      abort.abort(err);
    }
  };
  const checkpoint = (): void => abort.signal.throwIfAborted();
  const interrupted = () => abort.abort(new RehearseError('REH_INTERRUPTED', `seeding was interrupted during ${phase}`));
  if (opts.signal?.aborted) interrupted();
  opts.signal?.addEventListener('abort', interrupted);

  try {
    const { ds, orders } = await timed('prepare', async () => {
      const ds = new Dataset(seed, users, buildPools(seed));
      for (let i = 0; i < (parallel ? 2 : 1); i++) {
        // A dropped connection emits 'error' outside any query; fail the seed, not the process.
        const c = pgClient(connectionString, 'rehearse-seed', { onError: (err) => abort.abort(err) });
        clients.push(c);
      }
      await Promise.all(clients.map((c) => c.connect()));
      await Promise.all(
        clients.map((c) => c.query(`SET statement_timeout = 0; SET maintenance_work_mem = '${MAINTENANCE_WORK_MEM}'`)),
      );
      return { ds, orders: ds.totalOrders() };
    });
    const [a, b = a] = clients;

    // COPY: users and orders render from the same (seed, id) functions, so order is free.
    phase = 'copy';
    const sources = { users: ds.userRows(), orders: ds.orderRows(orders) };
    const total = users + orders;
    const copyStart = now();
    let loading: TableName | undefined = parallel ? undefined : 'users';
    const tick = (): void => {
      const rows = sources.users.rendered + sources.orders.rendered;
      emit({ phase: 'copy', table: loading, rows, total, rowsPerSec: rate(rows, now() - copyStart) });
    };
    tick();
    const ticker = onProgress ? setInterval(tick, PROGRESS_EVERY_MS) : undefined;
    try {
      const load = (c: pg.Client, spec: TableSpec, src: RowSource) =>
        timed(`copy:${spec.name}`, () => loadTable(c, spec, src, abort.signal));
      await timed('copy', async () => {
        if (parallel) {
          await together(abort, [load(a, USERS, sources.users), load(b, ORDERS, sources.orders)]);
        } else {
          await load(a, USERS, sources.users);
          loading = 'orders';
          await load(a, ORDERS, sources.orders);
        }
      });
    } finally {
      clearInterval(ticker);
    }
    tick();
    checkpoint();

    const run = async (c: pg.Client, steps: readonly LoadStep[]): Promise<void> => {
      for (const step of steps) {
        phase = step.phase;
        emit({ phase: step.phase, table: step.table, rows: 0, total: step.table === 'users' ? users : orders, rowsPerSec: 0 });
        await timed(step.phase, () => c.query(step.sql));
        checkpoint();
      }
    };
    await timed('index', async () => {
      if (parallel) await together(abort, [run(a, INDEX_STEPS.users), run(b, INDEX_STEPS.orders)]);
      else await run(a, [...INDEX_STEPS.users, ...INDEX_STEPS.orders]);
    });
    await run(a, [FK_STEP]);

    phase = 'sequences';
    emit({ phase, rows: 0, total, rowsPerSec: 0 });
    await timed(phase, () => Promise.all([a.query(sequenceSql('users')), b.query(sequenceSql('orders'))]));

    // VACUUM (ANALYZE), not bare ANALYZE: COPY FREEZE leaves the last few pages of each table
    // not all-visible, and VACUUM only reads those (the visibility map skips the rest), so
    // index-only scans behave as on a long-vacuumed production table, for about the same cost.
    phase = 'vacuum-analyze';
    emit({ phase, rows: 0, total, rowsPerSec: 0 });
    await timed(phase, () => together(abort, [a.query('VACUUM (ANALYZE) users'), b.query('VACUUM (ANALYZE) orders')]));
    checkpoint();

    const seconds = (now() - started) / 1000;
    const result: SeedResult = { users, orders, seconds, rowsPerSec: Math.round(total / seconds), phases };
    emit({ phase: 'done', rows: total, total, rowsPerSec: result.rowsPerSec });
    return result;
  } catch (err) {
    abort.abort(err);
    try {
      onProgress?.({ phase: 'failed', rows: 0, total: 0, rowsPerSec: 0 });
    } catch {
      // The seed error matters more than a reporter's.
    }
    if (opts.signal?.aborted) throw new RehearseError('REH_INTERRUPTED', `seeding was interrupted during ${phase}`, { cause: err });
    if (err instanceof RehearseError) throw err;
    const why = abort.signal.reason instanceof Error && abort.signal.reason !== err ? abort.signal.reason : err;
    throw new RehearseError('REH_SEED_FAILED', `seeding ${users} users failed during ${phase}: ${(why as Error)?.message ?? why}`, {
      cause: why,
    });
  } finally {
    opts.signal?.removeEventListener('abort', interrupted);
    await Promise.allSettled(clients.map((c) => c.end()));
  }
}

const rate = (rows: number, ms: number): number => (ms > 0 ? Math.round((rows * 1000) / ms) : 0);

/**
 * One transaction: CREATE TABLE then COPY … FREEZE. FREEZE is only allowed for a table created
 * in the same transaction; it writes rows already frozen and all-visible, as a long-lived
 * production table would be, instead of leaving hint-bit writes and an anti-wraparound
 * vacuum for the rehearsal to trip over.
 */
async function loadTable(c: pg.Client, spec: TableSpec, src: RowSource, signal: AbortSignal): Promise<number> {
  await c.query('BEGIN');
  try {
    await c.query(spec.create);
    const n = await copyInto(c, copySql(spec.name, spec.columns, true), new CopyTextStream(src), signal);
    await c.query('COMMIT');
    return n;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Like Promise.all, but the first failure aborts the siblings and waits for them to stop. */
async function together(abort: AbortController, tasks: Promise<unknown>[]): Promise<void> {
  const settled = tasks.map((t) =>
    t.catch((err: unknown) => {
      abort.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(settled);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw abort.signal.reason ?? failed.reason;
}
