import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RehearseError } from '../../errors.ts';
import { TEST_DATABASE_URL, needsDb } from '../../seed/test-env.ts';
import { orphans, seedSql, type Seeded } from './testing.ts';

// What real histories hold that the example does not: Prisma-style quoted tables and text ids,
// reference rows inserted by a migration, a composite FK into a composite key, a NOT NULL
// self-reference, a 1:1 key, unique (fk, enum) pairs, domains with CHECKs, generated columns,
// ranges, ltree, uuid[], an expression unique index and a partitioned table.
const EDGES = `
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN short_code AS varchar(8) NOT NULL CHECK (length(VALUE) >= 2);
CREATE TYPE "Provider" AS ENUM ('google', 'github', 'email');
CREATE TABLE roles (id smallint PRIMARY KEY, name text UNIQUE NOT NULL);
INSERT INTO roles VALUES (1, 'admin'), (2, 'member'), (3, 'viewer');
CREATE TABLE files (id serial PRIMARY KEY, file_name text NOT NULL);
CREATE TABLE "User" (
  avatar_file_id int UNIQUE REFERENCES files (id),
  id text PRIMARY KEY, email text NOT NULL UNIQUE, "firstName" text, "lastName" text,
  "roleId" smallint NOT NULL REFERENCES roles (id),
  "createdAt" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" timestamp(3) NOT NULL,
  score positive_int, code short_code, path ltree, "externalIds" uuid[], "homePage" varchar(40));
CREATE UNIQUE INDEX user_email_lower ON "User" (lower(email));
CREATE TABLE "Account" (
  "userId" text NOT NULL REFERENCES "User" (id), provider "Provider" NOT NULL, "providerAccountId" text NOT NULL,
  PRIMARY KEY ("userId", provider), UNIQUE (provider, "providerAccountId"));
CREATE TABLE "Profile" ("userId" text PRIMARY KEY REFERENCES "User" (id), bio text, website varchar(30));
CREATE TABLE tenants (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (tenant_id int NOT NULL REFERENCES tenants, id int GENERATED ALWAYS AS IDENTITY, name text NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE "Booking" (
  id bigserial PRIMARY KEY, tenant_id int NOT NULL, project_id int NOT NULL, "userId" text REFERENCES "User" (id),
  during tstzrange, seats int4range, status text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  price numeric(8,2) CHECK (price BETWEEN 1 AND 500), "startsAt" timestamptz NOT NULL, "endsAt" timestamptz NOT NULL,
  total numeric GENERATED ALWAYS AS (price * 2) STORED, notes text CHECK (notes <> ''),
  CHECK ("endsAt" > "startsAt"), FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id));
CREATE TABLE categories (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES categories (id), name text);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, happened_at timestamptz NOT NULL, kind text, PRIMARY KEY (id, happened_at)) PARTITION BY RANGE (happened_at);
CREATE TABLE events_2019 PARTITION OF events FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
CREATE TABLE events_rest PARTITION OF events DEFAULT;
CREATE INDEX events_kind_idx ON events (kind);
CREATE TABLE readings (sensor_id int NOT NULL, taken_at timestamptz NOT NULL, value double precision) PARTITION BY RANGE (taken_at);
CREATE TABLE readings_2023 PARTITION OF readings FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE regional (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE regional_eu PARTITION OF regional FOR VALUES IN ('eu', 'uk');
CREATE TABLE regional_us PARTITION OF regional FOR VALUES IN ('us');
`;

const failure = async (p: Promise<unknown>): Promise<RehearseError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RehearseError);
  return err as RehearseError;
};

describe.skipIf(!TEST_DATABASE_URL)(needsDb('schemaDataset on the constructs of real histories'), () => {
  let s: Seeded;
  const one = async (sql: string) => (await s.client.query(sql)).rows[0];
  beforeAll(async () => {
    s = await seedSql(TEST_DATABASE_URL!, EDGES, {
      seed: 3,
      rows: { default: 100, tables: { '"User"': 400, 'public.booking': 500, account: 2000 } },
      columns: {
        'User.firstName': 'person.firstName',
        'Booking.notes': { values: ['vip', 'late', null], weights: [1, 1, 8] },
        'tenants.name': { sql: "'tenant-' || (random() * 1000)::int" },
      },
    });
  });
  afterAll(async () => {
    await s?.client.end();
    await s?.db.drop();
  });

  it('should resolve table names as users type them and size children from their parents', () => {
    expect(s.result.tables).toMatchObject({ 'public."User"': 400, 'public."Booking"': 500, 'public.tenants': 100, 'public.projects': 200, 'public.roles': 3 });
    expect(s.result.notes.join('\n')).toContain('public.roles: kept the 3 row(s) the baseline inserted');
  });

  it('should keep every FK whole: composite, self-referencing, 1:1, into reference rows and across a partitioned table', async () => {
    expect(Object.values(await orphans(s.client)).every((n) => n === 0)).toBe(true);
    expect((await one(`SELECT count(DISTINCT "roleId")::int AS n FROM "User"`)).n).toBe(3);
    expect((await one(`SELECT count(*)::int AS n, count(DISTINCT "userId")::int AS d FROM "Profile"`))).toEqual({ n: 400, d: 400 });
    // A nullable unique FK: distinct files where set, NULL past the 100 files, the 400 users kept.
    const av = await one(`SELECT count(avatar_file_id)::int AS set, count(DISTINCT avatar_file_id)::int AS d FROM "User"`);
    expect(av.set).toBe(av.d);
    expect(av.set).toBeGreaterThan(50);
    expect(av.set).toBeLessThanOrEqual(100);
    expect((await one(`SELECT count(*)::int AS n FROM categories WHERE parent_id > id`)).n).toBe(0);
    expect((await one(`SELECT count(*)::int AS n FROM events`)).n).toBe(100);
    expect((await one(`SELECT count(*)::int AS n FROM events_2019`)).n).toBeGreaterThan(0);
    // Partitioned without a DEFAULT: keys drawn inside the partitions' bounds.
    expect((await one(`SELECT (SELECT count(*) FROM readings_2023)::int AS a, (SELECT count(*) FROM readings_2024)::int AS b`))).toEqual({ a: expect.any(Number), b: expect.any(Number) });
    expect((await one(`SELECT count(*)::int AS n FROM readings`)).n).toBe(100);
    expect((await one(`SELECT count(DISTINCT region)::int AS n FROM regional`)).n).toBe(3);
  });

  it('should cap unique (fk, enum) pairs at what exists and say so', async () => {
    const a = await one(`SELECT count(*)::int AS n FROM "Account"`);
    expect(a.n).toBe(1200); // 400 users × 3 providers
    expect(s.result.notes.join('\n')).toContain('public."Account": 2000 rows asked, but only 1200 distinct (userId, provider) exist');
    expect((await one(`SELECT count(*)::int AS n FROM (SELECT "userId", provider FROM "Account" GROUP BY 1, 2 HAVING count(*) > 1) x`)).n).toBe(0);
  });

  it('should honour domains, CHECKs, varchar limits, ranges and generated columns', async () => {
    const u = await one(`SELECT min(score) AS lo, min(length(code)) AS code_lo, max(length(code)) AS code_hi, max(length("homePage")) AS url,
      count(*) FILTER (WHERE cardinality("externalIds") >= 0)::int AS arrays, count(path)::int AS paths FROM "User"`);
    expect(u.lo).toBeGreaterThan(0);
    expect(u.code_lo).toBeGreaterThanOrEqual(2);
    expect(u.code_hi).toBeLessThanOrEqual(8);
    expect(u.url).toBeLessThanOrEqual(40);
    expect(u.paths).toBeGreaterThan(0);
    const b = await one(`SELECT count(*) FILTER (WHERE "endsAt" <= "startsAt")::int AS bad, min(price)::float AS lo, max(price)::float AS hi,
      count(*) FILTER (WHERE total = price * 2)::int AS generated, count(price)::int AS priced, count(*) FILTER (WHERE NOT isempty(during))::int AS ranges FROM "Booking"`);
    expect(b.bad).toBe(0);
    expect(b.lo).toBeGreaterThanOrEqual(1);
    expect(b.hi).toBeLessThanOrEqual(500);
    expect(b.generated).toBe(b.priced);
    expect(b.ranges).toBeGreaterThan(0);
  });

  it('should apply faker, weighted-values and SQL overrides', async () => {
    expect((await one(`SELECT count(*)::int AS n FROM "User" WHERE "firstName" !~ '^[A-Z]'`)).n).toBe(0);
    const notes = await one(`SELECT count(*) FILTER (WHERE notes IS NULL)::float / count(*) AS nulls, count(*) FILTER (WHERE notes NOT IN ('vip', 'late'))::int AS other FROM "Booking"`);
    expect(notes.nulls).toBeGreaterThan(0.65);
    expect(notes.other).toBe(0);
    expect((await one(`SELECT count(*) FILTER (WHERE name ~ '^tenant-[0-9]+$')::int AS n FROM tenants`)).n).toBe(100);
    // The SQL override was a temporary default: the column's own default is back.
    expect((await one(`SELECT column_default FROM information_schema.columns WHERE table_name = 'tenants' AND column_name = 'name'`)).column_default).toBeNull();
  });

  const plain = 'CREATE TABLE users (id int PRIMARY KEY, email text);';

  it('should refuse a --rows name that matches no table, with near matches, and an ambiguous one', async () => {
    const err = await failure(seedSql(TEST_DATABASE_URL!, plain, { rows: { tables: { usres: 5, 'nope.users': 1 } } }));
    expect(err.code).toBe('REH_DATASET_UNKNOWN_TABLE');
    expect(err.message).toContain('no table "usres" (did you mean public.users?)');
    expect(err.message).toContain('no table "nope.users"');
    const amb = await failure(seedSql(TEST_DATABASE_URL!, `${plain} CREATE SCHEMA auth; CREATE TABLE auth.users (id int);`, { rows: { tables: { users: 5 } } }));
    expect(amb.message).toContain('"users" is ambiguous: auth.users, public.users');
  });

  it('should name every column no generator can fill, with its type and the override to add', async () => {
    const err = await failure(seedSql(TEST_DATABASE_URL!, `CREATE TYPE pair AS (x int, y int); CREATE TABLE shapes (id int PRIMARY KEY, p pair NOT NULL, q pair);`));
    expect(err.code).toBe('REH_DATASET_UNFILLABLE_COLUMN');
    expect(err.message).toContain('public.shapes.p (pair): no generator for type public.pair');
    expect(err.message).toContain('public.shapes.q (pair)');
    expect(err.message).toContain(`columns: { 'shapes.p': { sql: "NULL" } }`);
  });

  it('should refuse a cycle of NOT NULL foreign keys, naming it', async () => {
    const err = await failure(seedSql(TEST_DATABASE_URL!, `CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL); CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
      ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;`));
    expect(err.code).toBe('REH_DATASET_FK_CYCLE');
    expect(err.message).toContain('public.a.b_id → public.b');
    expect(err.message).toContain('public.b.a_id → public.a');
    expect(err.hint).toMatch(/nullable or DEFERRABLE/);
  });

  it('should refuse overrides it cannot use, all of them at once', async () => {
    const err = await failure(seedSql(TEST_DATABASE_URL!, plain, { columns: { 'users.email': 'internet.nope', 'users.id': { values: [1, 2], weights: [1] } } }));
    expect(err.code).toBe('REH_DATASET_BAD_OVERRIDE');
    expect(err.message).toContain('faker has no method "internet.nope"');
    expect(err.message).toContain('users.id: weights must be 2 non-negative numbers');
    const unknown = await failure(seedSql(TEST_DATABASE_URL!, plain, { columns: { 'users.emial': 'internet.email' } }));
    expect(unknown.code).toBe('REH_DATASET_UNKNOWN_TABLE');
    expect(unknown.message).toContain('has no column "emial" (did you mean email?)');
  });

  it('should turn a row that breaks a rule it could not infer into a coded error naming the constraint', async () => {
    const err = await failure(seedSql(TEST_DATABASE_URL!, `CREATE TABLE t (id int PRIMARY KEY, email text CHECK (email ~ '^x'));`));
    expect(err.code).toBe('REH_DATASET_CONSTRAINT_FAILED');
    expect(err.message).toContain('t_email_check');
  });
});
