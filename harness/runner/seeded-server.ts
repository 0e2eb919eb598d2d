// One server of a run, ready with its seeded database: restored from the warm-start cache when
// an entry matches (seed-cache.ts), else started from its spec and seeded, then stored for the
// next run. The cache keys on the dataset (schema, overrides, generator version), seed and row
// counts; the server's identity (binaries or image, hence the Postgres version) is added by it.
import type { DatasetSource, RowsSpec, SeedProgress } from '../dataset/types.ts';
import { RehearseError } from '../errors.ts';
import { quoteIdent, withClient } from '../postgres/client.ts';
import { createDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { describePostgres, startPostgres, type PostgresSpec } from '../postgres/providers.ts';
import { resetDatabase } from '../postgres/reset-database.ts';
import type { SeedCache, SeedCacheKey } from '../postgres/seed-cache.ts';

/** What the report's `seed` holds (and what a cache entry keeps beside its data). */
export interface SeedInfo {
  tables: Record<string, number>;
  seconds: number;
  rowsPerSec: number;
  reused: boolean;
  notes: string[];
}

export interface SeedingOptions {
  dataset: DatasetSource;
  seed: number;
  rows: RowsSpec;
  log: (line: string) => void;
  onSeedProgress?: (p: SeedProgress) => void;
  signal: AbortSignal;
  /** Null: seed afresh and store nothing. */
  cache: SeedCache | null;
  port?: number;
}

export const seedCacheKey = (o: Pick<SeedingOptions, 'dataset' | 'seed' | 'rows'>): SeedCacheKey => ({ dataset: o.dataset.cacheKey, seed: o.seed, rows: o.rows });

/** The database seeding goes into when the harness chooses (the url provider may name its own). */
export const SEED_DB = 'rehearse_seed';

/** `readOnly`: it is a cache entry's, set read-only by the cache. */
export interface SeededDatabase {
  database: string;
  info: SeedInfo;
  readOnly: boolean;
}

/** A started server; with `cached`, its seeded database came from the cache and needs no seeding. */
export interface ProvisionedServer {
  pg: PostgresHandle;
  cached: SeededDatabase | null;
}

/** Starts the server a spec describes, from a matching cache entry when there is one. */
export async function provisionServer(spec: PostgresSpec, o: SeedingOptions): Promise<ProvisionedServer> {
  o.log(`provisioning postgres (${describePostgres(spec)})…`);
  if (o.cache) {
    const hit = await o.cache.restore(seedCacheKey(o), spec, { port: o.port }).catch((err: unknown) => {
      o.log(`warm-start cache: ${(err as Error).message.split('\n')[0]}; seeding afresh`);
      return null;
    });
    if (hit) {
      o.log(`warm-start cache: hit (entry ${hit.entry.id}, seeded ${hit.entry.createdAt}); seeding skipped`);
      return { pg: hit.handle, cached: { database: hit.database, info: { ...(hit.entry.info as SeedInfo), reused: true }, readOnly: true } };
    }
    o.log('warm-start cache: miss; seeding, then storing the seeded database');
  }
  return { pg: await startPostgres(spec, { port: o.port }), cached: null };
}

/** Seeds `o.rows` into a fresh database on `pg` and, with a cache, keeps it for later runs. Returns the database and what was seeded. */
export async function seedServer(pg: PostgresHandle, o: SeedingOptions & { at: string }): Promise<SeededDatabase> {
  if (pg.databases.variants === 'reseed') {
    throw new RehearseError('REH_PG_SPEC_INVALID', `the role in --pg-url may not CREATE DATABASE, and rehearsing without template clones is not supported yet`, {
      hint: 'Grant the role CREATEDB (variants run on template copies of the seeded database), or rehearse on embedded or docker Postgres.',
    });
  }
  const database = pg.databases.seedInto ?? SEED_DB;
  if (pg.databases.seedInto) await resetDatabase(pg, database);
  else await createDatabase(pg, database);
  o.log(`seeding ${o.dataset.description}${o.at} (seed ${o.seed})…`);
  const seeded = await o.dataset.seed(pg.url(database), { seed: o.seed, rows: o.rows, onProgress: o.onSeedProgress, signal: o.signal, log: o.log });
  const info: SeedInfo = { tables: seeded.tables, seconds: seeded.seconds, rowsPerSec: Math.round(seeded.rowsPerSec), reused: false, notes: seeded.notes };
  let entry = null;
  if (o.cache && !o.signal.aborted) {
    // A cache that cannot store (full disk, cap) costs the next run time, not this run its result.
    entry = await o.cache.store(seedCacheKey(o), pg, database, info).catch((err: unknown) => {
      o.log(`warm-start cache: not stored (${(err as Error).message.split('\n')[0]})`);
      return null;
    });
    if (entry) o.log(`warm-start cache: stored as entry ${entry.id}`);
  }
  return { database, info, readOnly: entry !== null };
}

/**
 * A cached seed is read-only (seed-cache.ts keeps runs from changing an entry); app setup may
 * dry-run its writes there (rolled back), so it sees the database writable meanwhile.
 */
export async function whileWritable<T>(pg: PostgresHandle, database: string, readOnly: boolean, fn: () => Promise<T>): Promise<T> {
  if (!readOnly) return fn();
  const alter = (sql: string) => withClient(pg.url(pg.databases.adminDatabase), 'rehearse-admin', (c) => c.query(`ALTER DATABASE ${quoteIdent(database)} ${sql}`));
  await alter('RESET default_transaction_read_only');
  try {
    return await fn();
  } finally {
    await alter('SET default_transaction_read_only = on').catch(() => {});
  }
}
