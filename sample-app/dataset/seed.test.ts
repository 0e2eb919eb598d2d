import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RehearseError, sqlstateOf } from '../../harness/errors.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../harness/seed/scratch-db.ts';
import { seedDatabase, type SeedProgress, type SeedResult } from './seed.ts';
import { TEST_DATABASE_URL, needsDb } from '../../harness/seed/test-env.ts';

const USERS = 5_000;

describe.skipIf(!TEST_DATABASE_URL)(needsDb('seedDatabase'), () => {
  const dbs: ScratchDatabase[] = [];
  let db: ScratchDatabase;
  let client: pg.Client;
  let result: SeedResult;
  const events: SeedProgress[] = [];
  const scratch = async () => {
    const d = await createScratchDatabase(TEST_DATABASE_URL!);
    dbs.push(d);
    return d;
  };
  const one = async <T extends pg.QueryResultRow>(sql: string): Promise<T> => (await client.query<T>(sql)).rows[0]!;

  beforeAll(async () => {
    db = await scratch();
    result = await seedDatabase(db.url, { users: USERS, seed: 42, onProgress: (p) => events.push(p) });
    client = new pg.Client(db.url);
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('loads the requested users and ~3 orders each, and reports every phase', async () => {
    expect(result.users).toBe(USERS);
    expect(result.orders / USERS).toBeGreaterThan(2.8);
    expect(result.orders / USERS).toBeLessThan(3.2);
    expect(await one('SELECT count(*)::int AS n FROM users')).toEqual({ n: USERS });
    expect(await one('SELECT count(*)::int AS n FROM orders')).toEqual({ n: result.orders });
    expect(await one('SELECT max(c)::int AS max, min(c)::int AS min FROM (SELECT count(o.id) c FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id) t')).toEqual({ max: 6, min: 0 });
    for (const phase of ['prepare', 'copy:users', 'copy:orders', 'index:users_pkey', 'index:users_email_key', 'index:orders_pkey', 'index:orders_user_id_idx', 'fk:orders_user_id_fkey', 'sequences', 'vacuum-analyze']) {
      expect(result.phases[phase], phase).toBeGreaterThanOrEqual(0);
    }
    expect(result.rowsPerSec).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ phase: 'done', rows: USERS + result.orders, total: USERS + result.orders });
    expect(events.some((e) => e.phase === 'copy')).toBe(true);
  });

  it('creates the production constraints and indexes, with the FK validated', async () => {
    const { rows } = await client.query<{ conname: string; contype: string; convalidated: boolean }>(
      `SELECT conname, contype, convalidated FROM pg_constraint
       WHERE conrelid IN ('users'::regclass, 'orders'::regclass) AND contype IN ('p', 'u', 'f') ORDER BY conname`,
    );
    expect(rows).toEqual([
      { conname: 'orders_pkey', contype: 'p', convalidated: true },
      { conname: 'orders_user_id_fkey', contype: 'f', convalidated: true },
      { conname: 'users_email_key', contype: 'u', convalidated: true },
      { conname: 'users_pkey', contype: 'p', convalidated: true },
    ]);
    const idx = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename IN ('users', 'orders') ORDER BY 1`);
    expect(idx.rows.map((r) => r.indexname)).toEqual(['orders_pkey', 'orders_user_id_idx', 'users_email_key', 'users_pkey']);
    const orphans = await one<{ n: number }>('SELECT count(*)::int AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id)');
    expect(orphans.n).toBe(0);
    // Tables are logged, like production.
    expect((await client.query(`SELECT relname FROM pg_class WHERE relname IN ('users', 'orders') AND relpersistence <> 'p'`)).rows).toEqual([]);
  });

  it('moves the identity sequences past the loaded ids, so INSERT without id works', async () => {
    await client.query('BEGIN');
    try {
      const u = await one<{ id: string }>(`INSERT INTO users (email, full_name) VALUES ('new@example.com', 'New User') RETURNING id`);
      expect(Number(u.id)).toBe(USERS + 1);
      const o = await one<{ id: string }>(`INSERT INTO orders (user_id, amount_cents, status, created_at) VALUES (${u.id}, 100, 'pending', now()) RETURNING id`);
      expect(Number(o.id)).toBe(result.orders + 1);
      // And the constraints bite.
      await expect(client.query(`INSERT INTO orders (user_id, amount_cents, status, created_at) VALUES (${USERS + 99}, 1, 'x', now())`)).rejects.toMatchObject({ code: '23503' });
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('leaves the tables ANALYZEd, with frozen all-visible pages', async () => {
    const { rows } = await client.query<{ relname: string; reltuples: number; relallvisible: number; relpages: number }>(
      `SELECT relname, reltuples::float8 AS reltuples, relallvisible, relpages FROM pg_class WHERE relname IN ('users', 'orders') ORDER BY relname`,
    );
    expect(rows.map((r) => [r.relname, r.reltuples])).toEqual([['orders', result.orders], ['users', USERS]]);
    for (const r of rows) expect(r.relallvisible).toBe(r.relpages);
    const stats = await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'users' AND attname = 'country'`);
    expect(stats.n).toBe(1);
  });

  it('produces identical tables for the same seed, also on one connection', async () => {
    const other = await scratch();
    await seedDatabase(other.url, { users: USERS, seed: 42, parallel: false });
    const sum = async (url: string) => {
      const c = new pg.Client(url);
      await c.connect();
      try {
        const q = (t: string) => c.query(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY id)) AS h FROM ${t} t`).then((r) => r.rows[0].h as string);
        return [await q('users'), await q('orders')];
      } finally {
        await c.end();
      }
    };
    expect(await sum(other.url)).toEqual(await sum(db.url));
  });

  it('fails the seed, not the process, when the progress callback throws', async () => {
    const target = await scratch();
    const boom = new Error('reporter broke');
    const err = await seedDatabase(target.url, {
      users: 1000,
      seed: 1,
      onProgress: (p) => {
        if (p.phase === 'index:users_pkey') throw boom;
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REH_SEED_FAILED', cause: boom });
  });

  it('wraps failures as REH_SEED_FAILED with the server error as cause', async () => {
    // users already exists in db: CREATE TABLE fails mid-way while orders is loading in parallel.
    const err = await seedDatabase(db.url, { users: 50_000, seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect((err as RehearseError).code).toBe('REH_SEED_FAILED');
    expect((err as RehearseError).message).toMatch(/during copy/);
    expect(sqlstateOf((err as RehearseError).cause)).toBe('42P07');
    // The aborted sibling COPY rolled back: no second orders table, the original is intact.
    expect(await one('SELECT count(*)::int AS n FROM orders')).toEqual({ n: result.orders });
  });
});
