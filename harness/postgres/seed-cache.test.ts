import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTestEnv } from '../testing/docker-env.ts';
import { cloneDatabase, createDatabase } from './databases.ts';
import { startPostgres, type PostgresSpec } from './providers.ts';
import type { PostgresHandle } from './provider.ts';
import { SeedCache, type SeedCacheKey } from './seed-cache.ts';

const KEY: SeedCacheKey = { schema: 'create table t (id int)', dataset: { name: 'numbers' }, seed: 7, rows: { t: 5000 }, generator: 1 };
const EMBEDDED: PostgresSpec = { provider: 'embedded', major: 18 };
let dir: string;

async function query(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** A server with `seed` holding KEY's rows, stored in `cache` under `key`. */
async function seedAndStore(cache: SeedCache, key: SeedCacheKey, spec: PostgresSpec = EMBEDDED): Promise<PostgresHandle> {
  const h = await startPostgres(spec);
  await createDatabase(h, 'seed');
  await query(h.url('seed'), `CREATE TABLE t AS SELECT g AS id FROM generate_series(1, ${(key.rows as { t: number }).t}) g`);
  const entry = await cache.store(key, h, 'seed', { rows: (key.rows as { t: number }).t });
  expect(entry).not.toBeNull();
  return h;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'rehearse-cache-test-'));
  await fs.chmod(dir, 0o755); // the postgres OS user runs on embedded entries in place
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('warm-start cache (embedded)', () => {
  it('should restore the stored seed on a hit, without the databases the storing run made', async () => {
    const cache = new SeedCache({ dir: path.join(dir, 'hit') });
    const cold = await seedAndStore(cache, KEY);
    // The storing run goes on from the entry: a clone and some statements it leaves behind.
    await cloneDatabase(cold, 'seed', 'variant');
    expect(await query(cold.url('variant'), 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 5000 }]);
    expect((await cache.list())[0]!.inUseBy).toBe(process.pid);
    await cold.stop();
    expect((await cache.list())[0]!.inUseBy).toBeNull();

    // Same key with its properties in another order: the same entry.
    const reordered = Object.fromEntries(Object.entries(KEY).reverse());
    const hit = await cache.restore(reordered, EMBEDDED);
    expect(hit).not.toBeNull();
    await using h = hit!.handle;
    expect(hit!.database).toBe('seed');
    expect(hit!.entry.info).toEqual({ rows: 5000 });
    expect(await query(h.url('seed'), 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 5000 }]);
    const dbs = (await query(h.url(), 'SELECT datname FROM pg_database ORDER BY 1')).map((r) => r.datname);
    expect(dbs).toEqual(['postgres', 'seed', 'template0', 'template1']);
    // The cached seed is read-only; its clones, where variants run, are not.
    expect(await query(h.url('seed'), 'SHOW default_transaction_read_only')).toEqual([{ default_transaction_read_only: 'on' }]);
    await cloneDatabase(h, 'seed', 'variant');
    expect(await query(h.url('variant'), 'SHOW default_transaction_read_only')).toEqual([{ default_transaction_read_only: 'off' }]);
    // While this run holds the entry, another run gets a miss rather than a shared cluster.
    expect(await cache.restore(KEY, EMBEDDED)).toBeNull();
  });

  it('should miss when any part of the key, or the Postgres version, differs', async () => {
    const cache = new SeedCache({ dir: path.join(dir, 'miss') });
    await (await seedAndStore(cache, KEY)).stop();
    const changed: SeedCacheKey[] = [
      { ...KEY, schema: 'create table t (id bigint)' },
      { ...KEY, dataset: { name: 'numbers', nullFraction: 0.1 } },
      { ...KEY, seed: 8 },
      { ...KEY, rows: { t: 5001 } },
      { ...KEY, generator: 2 },
    ];
    for (const key of changed) expect(await cache.restore(key, EMBEDDED)).toBeNull();
    expect(await cache.restore(KEY, { provider: 'embedded', major: 14 })).toBeNull();
    const hit = await cache.restore(KEY, EMBEDDED);
    expect(hit).not.toBeNull();
    // A run that drops the cached database itself leaves no seed: the next restore misses.
    await query(hit!.handle.url(), 'DROP DATABASE seed');
    await hit!.handle.stop();
    expect(await cache.restore(KEY, EMBEDDED)).toBeNull();
    expect(await cache.list()).toEqual([]);
  });

  it('should evict the least recently used entry beyond the size cap, refuse what cannot fit, and clear', async () => {
    const probe = new SeedCache({ dir: path.join(dir, 'size') });
    await (await seedAndStore(probe, KEY)).stop();
    const one = (await probe.list())[0]!.saved.sizeBytes;
    expect(one).toBeLessThan(100 * 1024 ** 2); // WAL trimmed to the segments a clean start needs

    const cache = new SeedCache({ dir: path.join(dir, 'size'), maxBytes: Math.floor(one * 1.5) });
    await (await seedAndStore(cache, { ...KEY, seed: 8 })).stop();
    expect((await cache.list()).map((e) => e.key.seed)).toEqual([8]);

    const tiny = new SeedCache({ dir: path.join(dir, 'size'), maxBytes: 1024 });
    const h = await startPostgres(EMBEDDED);
    await createDatabase(h, 'seed');
    expect(await tiny.store({ ...KEY, seed: 9 }, h, 'seed')).toBeNull();
    await h.stop();

    const { removed, inUse } = await cache.clear();
    expect(removed.map((e) => e.key.seed)).toEqual([8]);
    expect(inUse).toEqual([]);
    expect(await cache.list()).toEqual([]);
    expect(await cache.restore({ ...KEY, seed: 8 }, EMBEDDED)).toBeNull();
  });
});

const docker = await dockerTestEnv();
describe.runIf(docker.ready || docker.mustRun)('warm-start cache (docker)', () => {
  it(`should commit the seeded container to an image and start from it on a hit${docker.ready ? '' : ` (cannot: ${docker.reason})`}`, async () => {
    const spec: PostgresSpec = { provider: 'docker' };
    const cache = new SeedCache({ dir: path.join(dir, 'docker') });
    const cold = await seedAndStore(cache, KEY, spec);
    await cold.stop();
    const hit = await cache.restore(KEY, spec);
    expect(hit).not.toBeNull();
    await using h = hit!.handle;
    expect(h.provider).toBe('docker');
    expect(await query(h.url('seed'), 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 5000 }]);
    await h.stop();
    const { removed } = await cache.clear();
    expect(removed).toHaveLength(1);
  });
});
