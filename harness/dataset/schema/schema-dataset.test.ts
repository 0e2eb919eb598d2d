import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readSqlSources } from '../../migrations/read-sql-sources.ts';
import { createScratchDatabase } from '../../seed/scratch-db.ts';
import { schemaDataset } from './schema-dataset.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, needsDb } from '../../seed/test-env.ts';
import { checksums, orphans, seedSql, type Seeded } from './testing.ts';

const EXAMPLE = readFileSync(new URL('../../../examples/saas-app/schema.sql', import.meta.url), 'utf8');
const ROOTS = 300;

describe.skipIf(!TEST_DATABASE_URL)(needsDb('schemaDataset on the SaaS example'), () => {
  const seeded: Seeded[] = [];
  let a: Seeded;
  let b: Seeded;
  const one = async (sql: string) => (await a.client.query(sql)).rows[0];
  beforeAll(async () => {
    a = await seedSql(TEST_DATABASE_URL!, EXAMPLE, { seed: 7, rows: { default: ROOTS, tables: {} } });
    seeded.push(a);
    b = await seedSql(TEST_DATABASE_URL!, EXAMPLE, { seed: 7, rows: { default: ROOTS, tables: {} } });
    seeded.push(b);
  });
  afterAll(async () => {
    for (const s of seeded) {
      await s.client.end();
      await s.db.drop();
    }
  });

  it('should seed every table: roots at --rows, children at the fan-out, as the server counts them', async () => {
    const t = a.result.tables;
    expect(t['public.organizations']).toBe(ROOTS);
    expect(t['public.users']).toBe(2 * ROOTS);
    expect(t['public.projects']).toBe(2 * ROOTS);
    expect(t['public.tasks']).toBe(4 * ROOTS);
    expect(t['public.comments']).toBe(8 * ROOTS);
    expect(Object.keys(t)).toHaveLength(11);
    for (const [table, n] of Object.entries(t)) expect((await one(`SELECT count(*)::int AS n FROM ${table}`)).n, table).toBe(n);
    expect(a.result.notes.join('\n')).toMatch(/FK cycle broken at nullable public\.organizations\.owner_id → public\.users/);
    expect(a.result.notes.join('\n')).toMatch(/skipped 2 psql meta-command/);
  });

  it('should leave no orphan behind any foreign key, and every constraint validated', async () => {
    const o = await orphans(a.client);
    expect(Object.keys(o).length).toBe(19);
    expect(Object.values(o).every((n) => n === 0), JSON.stringify(o)).toBe(true);
    expect((await one(`SELECT count(*)::int AS n FROM pg_constraint WHERE NOT convalidated`)).n).toBe(0);
  });

  it('should give the same seed byte-identical tables in two databases, and another seed other data', async () => {
    const [x, y] = await Promise.all([checksums(a.client), checksums(b.client)]);
    expect(Object.keys(x)).toHaveLength(11);
    expect(y).toEqual(x);
    const c = await seedSql(TEST_DATABASE_URL!, EXAMPLE, { seed: 8, rows: { default: 50, tables: {} } });
    seeded.push(c);
    const z = await checksums(c.client);
    expect(z.users).toBeDefined();
    expect(z.users).not.toEqual(x.users);
  });

  it('should infer values from column names, quoted camelCase ones included', async () => {
    const u = await one(`SELECT count(*) FILTER (WHERE email::text ~ '^[a-z0-9]+\\.[a-z0-9]+[0-9]+@[a-z0-9.-]+\\.[a-z]+$')::int AS emails,
      count(*) FILTER (WHERE "fullName" ~ '^\\S+( \\S+)+$')::int AS names,
      count(*) FILTER (WHERE "updatedAt" >= "createdAt")::int AS ordered,
      count(*) FILTER (WHERE "avatarUrl" LIKE 'https://%')::int AS urls, count("avatarUrl")::int AS avatars,
      count(*) FILTER (WHERE locale ~ '^[a-z]{2}-[A-Z]{2}$')::int AS locales,
      count(*) FILTER (WHERE "createdAt" >= '2019-01-01' AND "createdAt" < '2025-01-01')::int AS in_window,
      count(*)::int AS n FROM users`);
    expect(u.emails).toBe(u.n);
    expect(u.names).toBe(u.n);
    expect(u.ordered).toBe(u.n);
    expect(u.urls).toBe(u.avatars);
    expect(u.avatars / u.n).toBeGreaterThan(0.8); // nullable: about 10 % NULL
    expect(u.locales).toBe(u.n);
    expect(u.in_window).toBe(u.n);
    const o = await one(`SELECT count(deleted_at)::float / count(*) AS deleted, count(*) FILTER (WHERE updated_at >= created_at)::int AS ordered, count(*)::int AS n,
      count(*) FILTER (WHERE jsonb_typeof(settings) = 'object')::int AS objects, count(*) FILTER (WHERE slug ~ '^[a-z0-9]+(-[a-z0-9]+)+$')::int AS slugs FROM organizations`);
    expect(o.deleted).toBeLessThan(0.25);
    expect(o.ordered).toBe(o.n);
    expect(o.objects).toBe(o.n);
    expect(o.slugs).toBe(o.n);
    const inv = await one(`SELECT count(*) FILTER (WHERE paid_at < issued_at)::int AS bad, count(*) FILTER (WHERE currency ~ '^[A-Z]{3}$')::int AS cur, count(*)::int AS n FROM invoices`);
    expect(inv.bad).toBe(0);
    expect(inv.cur).toBe(inv.n);
  });

  it('should draw statuses from a small skewed set and honour CHECKs, enums, arrays and network types', async () => {
    const { rows } = await a.client.query(`SELECT status::text, count(*)::int AS n FROM tasks GROUP BY 1 ORDER BY 2 DESC`);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(rows[0].n).toBeGreaterThan(2 * rows.at(-1).n);
    const t = await one(`SELECT min(priority) AS lo, max(priority) AS hi, count(*) FILTER (WHERE estimate_hours < 0)::int AS neg,
      count(*) FILTER (WHERE cardinality(tags) > 0)::int AS tagged, count(*)::int AS n FROM tasks`);
    expect([t.lo, t.hi]).toEqual([1, 4]);
    expect(t.neg).toBe(0);
    expect(t.tagged).toBeGreaterThan(0);
    expect((await one(`SELECT count(*)::int AS n FROM projects WHERE visibility NOT IN ('private', 'internal', 'public')`)).n).toBe(0);
    expect((await one(`SELECT count(*)::int AS n FROM audit_events WHERE ip_address IS NOT NULL AND family(ip_address) = 4`)).n).toBeGreaterThan(0);
  });

  it('should skew the fan-out: a few parents own many children, some own none', async () => {
    const f = await one(`SELECT max(n)::int AS top, avg(n)::float AS mean, count(*) FILTER (WHERE n = 0)::int AS childless FROM (
      SELECT p.id, count(t.id) AS n FROM projects p LEFT JOIN tasks t ON t.project_id = p.id GROUP BY p.id) x`);
    expect(f.mean).toBeCloseTo(2, 5);
    expect(f.top).toBeGreaterThan(5 * f.mean);
    expect(f.childless).toBeGreaterThan(0);
  });

  it('should build the task tree as a forest: parents are earlier rows, roots have none', async () => {
    const f = await one(`SELECT count(*) FILTER (WHERE parent_id >= id)::int AS forward, count(*) FILTER (WHERE parent_id IS NULL)::int AS roots, count(*)::int AS n FROM tasks`);
    expect(f.forward).toBe(0);
    expect(f.roots).toBeGreaterThan(0);
    expect(f.roots).toBeLessThan(f.n);
  });

  it('should not fire row triggers during the load, and leave them enabled after it', async () => {
    // tasks has BEFORE INSERT … SET updated_at = now(): had it fired, rows would carry today's date.
    expect((await one(`SELECT count(*)::int AS n FROM tasks WHERE updated_at > '2026-01-02'`)).n).toBe(0);
    const { rows } = await a.client.query(`SELECT tgname, tgenabled::text AS e FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`);
    expect(rows.map((r) => r.e)).toEqual(['O', 'O', 'O', 'O']);
  });

  it('should recreate every index and constraint under its own name, partial ones included, and move sequences on', async () => {
    const idx = await one(`SELECT pg_get_indexdef('public.tasks_assignee_id_open_idx'::regclass) AS d`);
    expect(idx.d).toContain('WHERE (status <> ALL');
    expect((await one(`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public'`)).n).toBe(26);
    await a.client.query('BEGIN');
    try {
      const r = await one(`INSERT INTO invoices (organization_id, number, amount_cents, issued_at) VALUES (1, 'NEW-1', 100, now()) RETURNING id`);
      expect(Number(r.id)).toBe(a.result.tables['public.invoices']! + 1);
    } finally {
      await a.client.query('ROLLBACK');
    }
  });

  it('should take a whole migration history as the baseline: the schema, then the Prisma migrations on top', async () => {
    const dir = (rel: string) => fileURLToPath(new URL(`../../../examples/saas-app/${rel}`, import.meta.url));
    const files = [...readSqlSources(dir('schema.sql')).files, ...readSqlSources(dir('migrations')).files];
    const db = await createScratchDatabase(TEST_DATABASE_URL!, 'rehearse_schema');
    try {
      const r = await schemaDataset({ schema: files }).seed(db.url, { seed: 1, rows: { default: 50, tables: {} } });
      expect(r.tables['public.tasks']).toBe(200);
      const c = new pg.Client(db.url);
      await c.connect();
      try {
        const t = (await c.query(`SELECT count(DISTINCT external_id)::int AS ids, count(*)::int AS n FROM tasks`)).rows[0];
        expect(t.ids).toBe(t.n);
        expect((await c.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'comments_body_not_blank'`)).rows).toEqual([{ convalidated: true }]);
      } finally {
        await c.end();
      }
    } finally {
      await db.drop();
    }
  });
});
