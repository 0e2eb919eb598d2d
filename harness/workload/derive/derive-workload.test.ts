// The derived default workload on a schema with the shapes real apps have: uuid and text keys,
// identity and serial columns, composite keys, unique constraints, NOT NULL without defaults,
// CHECKs, enums, generated columns, FKs (one of them 1:1), a table without a key, a trigger.
// The migration touches one table; its FK children get load too, and under load every read,
// update and insert succeeds: no constraint errors.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFleet } from '../../app/fleet.ts';
import { DEFAULT_APP_SETTINGS, type AppUnderTest } from '../../app/types.ts';
import { startOpenLoad } from '../../load/open-model.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../seed/scratch-db.ts';
import { workloadApp } from '../workload-app.ts';

const SCHEMA = `
CREATE TYPE "Role" AS ENUM ('owner', 'admin', 'member');
CREATE TABLE org (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug varchar(64) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "Member" (
  id text PRIMARY KEY,
  "orgId" uuid NOT NULL REFERENCES org(id),
  email text NOT NULL,
  role "Role" NOT NULL,
  score int NOT NULL CHECK (score >= 0),
  UNIQUE ("orgId", email)
);
CREATE INDEX "Member_orgId_idx" ON "Member" ("orgId");
CREATE TABLE seat (org_id uuid NOT NULL REFERENCES org(id), seat int NOT NULL, note text, PRIMARY KEY (org_id, seat));
CREATE TABLE profile (org_id uuid PRIMARY KEY REFERENCES org(id), bio text);
CREATE TABLE event_log (org_id uuid REFERENCES org(id), payload jsonb);
CREATE TABLE invoice (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES org(id),
  number int NOT NULL UNIQUE,
  amount numeric(10, 2) NOT NULL CHECK (amount > 0),
  code char(6) NOT NULL,
  total numeric GENERATED ALWAYS AS (amount * 2) STORED,
  updated timestamptz
);
CREATE TABLE audit (id bigserial PRIMARY KEY, org_id uuid NOT NULL, what text NOT NULL);
CREATE FUNCTION org_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit (org_id, what) VALUES (NEW.id, TG_OP); RETURN NEW; END $$;
CREATE TRIGGER org_audit AFTER INSERT OR UPDATE ON org FOR EACH ROW EXECUTE FUNCTION org_audit();
CREATE TABLE unrelated (id int PRIMARY KEY, v text);
CREATE TABLE frozen (id int PRIMARY KEY, org_id uuid NOT NULL REFERENCES org(id), note text);
CREATE FUNCTION no_inserts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'frozen'; END $$;

INSERT INTO org (slug, name) SELECT 'org-' || g, 'Org ' || g FROM generate_series(1, 200) g;
INSERT INTO "Member" SELECT 'c' || md5(o.id::text || g), o.id, 'm' || g || '@x.test', 'member', g FROM org o, generate_series(1, 3) g;
INSERT INTO seat SELECT o.id, g, NULL FROM org o, generate_series(1, 2) g;
INSERT INTO profile SELECT id, 'bio' FROM org;
INSERT INTO event_log SELECT id, '{}' FROM org;
INSERT INTO invoice (org_id, number, amount, code) SELECT id, row_number() OVER (), 10, 'ABCDEF' FROM org;
INSERT INTO unrelated SELECT g, 'x' FROM generate_series(1, 10) g;
INSERT INTO frozen SELECT row_number() OVER (), id, NULL FROM org;
CREATE TRIGGER frozen BEFORE INSERT ON frozen FOR EACH ROW EXECUTE FUNCTION no_inserts();
ANALYZE;
`;

const MIGRATION = 'ALTER TABLE org ADD COLUMN plan text';

let db: ScratchDatabase;
let client: pg.Client;
let app: AppUnderTest;
const logs: string[] = [];
const sequences = async () => (await client.query('SELECT sequencename, last_value::text FROM pg_sequences ORDER BY 1')).rows;

beforeAll(async () => {
  db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'workload_derive');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(SCHEMA);
  const before = await sequences();
  app = await workloadApp().create({ scenarioFile: null, seededUrl: db.url, seed: 3, migrationSql: [MIGRATION], log: (l) => logs.push(l) });
  // The dry run rolled back its writes and put the sequences back: the seed is as seeded.
  expect(await sequences()).toEqual(before);
  expect((await client.query('SELECT count(*)::int AS n FROM audit')).rows[0].n).toBe(200);
});
afterAll(async () => {
  await app?.dispose?.();
  await client?.end();
  await db?.drop();
});

describe('derived default workload', () => {
  it('should load the touched table and the tables that reference it, read-heavy, and leave the rest alone', () => {
    const routes = app.routes!.map((r) => r.name).sort();
    expect(routes).toEqual([
      'Member:by-orgId', 'Member:insert', 'Member:read', 'Member:update',
      'frozen:read', 'frozen:update',
      'invoice:insert', 'invoice:read', 'invoice:update',
      'org:insert', 'org:read', 'org:update',
      'profile:by-org_id', 'profile:read', 'profile:update',
      'seat:by-org_id', 'seat:insert', 'seat:read', 'seat:update',
    ]);
    const share = (kind: string) => app.routes!.filter((r) => r.name.endsWith(`:${kind}`)).reduce((s, r) => s + r.weight, 0);
    expect(share('read')).toBeGreaterThan(share('update') + share('insert'));
    const sql = Object.fromEntries(app.routes!.map((r) => [r.name, r.sql.base![0]]));
    expect(sql['org:read']).toBe('SELECT * FROM "org" WHERE "id" = $1');
    expect(sql['org:update']).toBe('UPDATE "org" SET "updated_at" = now() WHERE "id" = $1');
    expect(sql['invoice:update']).toBe('UPDATE "invoice" SET "updated" = now() WHERE "id" = $1');
    expect(sql['Member:update']).toBe('UPDATE "Member" SET "role" = "role" WHERE "id" = $1');
    expect(sql['org:insert']).toContain(`gen_random_uuid(), left("slug", 32) || '-' || $2::text`);
    // Identity and generated columns keep their defaults.
    expect(sql['invoice:insert']).toMatch(/^INSERT INTO "invoice" \("org_id", "number", "amount", "code", "updated"\) SELECT /);
    expect(sql['invoice:insert']).toMatch(/200::numeric \+ \$2::int8/);
  });

  it('should say what it skipped and why', () => {
    const notes = app.notes!.join('\n');
    expect(notes).toMatch(/org: altered by the migration/);
    expect(notes).toMatch(/Member: references org/);
    expect(notes).toMatch(/profile: no insert derived: its primary key profile_pkey \(org_id\) has no column that can take a fresh value/);
    expect(notes).toMatch(/event_log: no primary key or NOT NULL unique key/);
    expect(notes).toMatch(/invoice: no index leads with \(org_id\)/);
    // A query that fails on the seeded data is tried, left out, and the reason given.
    expect(notes).toMatch(/frozen:insert: left out, it fails on the seeded data: frozen \(SQLSTATE P0001\)/);
    expect(notes).not.toMatch(/unrelated|audit:/);
  });

  it('should run every derived query under load without a single error', async () => {
    const fleet = new AppFleet({ app, databaseUrl: db.url, instances: 1, settings: DEFAULT_APP_SETTINGS });
    let records;
    try {
      await fleet.start('base');
      const load = startOpenLoad({ rate: 80, factory: await app.requestFactory(db.url, 'derive-test'), balancer: fleet, seed: 9 });
      fleet.setDrainer((id) => load.whenDrained(id));
      await new Promise((r) => setTimeout(r, 3000));
      records = await load.stop({ graceMs: 5000 });
    } finally {
      await fleet.stop();
    }
    // Every answer is a success: no constraint error, no SQL error, no timeout. (A request still
    // unanswered when the load stops has no answer yet: only a starved machine leaves any.)
    const failed = records.filter((r) => r.outcome !== 'ok' && r.outcome !== 'unfinished');
    expect(failed.map((r) => `${r.route} ${r.outcome} ${r.status} ${r.sqlstate ?? ''}`)).toEqual([]);
    const answered = new Set(records.filter((r) => r.outcome === 'ok').map((r) => r.route));
    expect([...answered].sort()).toEqual(app.routes!.map((r) => r.name).sort());
    const inserted = (await client.query(`SELECT (SELECT count(*) FROM org)::int AS org, (SELECT count(*) FROM "Member")::int AS member, (SELECT count(*) FROM seat)::int AS seat, (SELECT count(*) FROM invoice)::int AS invoice`)).rows[0];
    expect(inserted.org).toBeGreaterThan(200);
    expect(inserted.member).toBeGreaterThan(600);
    expect(inserted.seat).toBeGreaterThan(400);
    expect(inserted.invoice).toBeGreaterThan(200);
  });
});
