// Background sessions against a real server: each kind holds what it says, under its own
// application_name, for its time; a stop ends it at once; a bad table fails its start.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { createDatabase, dropDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { BackgroundSessions } from './background-sessions.ts';

const DB = `bg_${process.pid}`;
const server = {
  url: (db = 'postgres') => process.env.REHEARSE_TEST_DATABASE_URL!.replace(/\/[^/]*$/, `/${db}`),
  databases: { seedInto: null, variants: 'clone', ownsServer: true, adminDatabase: 'postgres' },
} as unknown as PostgresHandle;
let admin: pg.Client;
let sessions: BackgroundSessions;
const t0 = now();

const activity = async (app: string) =>
  (await admin.query<{ state: string; query: string; modes: string[] }>(
    `SELECT a.state, a.query, array(SELECT mode FROM pg_locks l WHERE l.pid = a.pid AND l.relation = 'items'::regclass AND l.granted ORDER BY mode) AS modes
     FROM pg_stat_activity a WHERE a.application_name = $1`, [app])).rows[0];

beforeAll(async () => {
  await createDatabase(server, DB);
  admin = new pg.Client({ connectionString: server.url(DB) });
  await admin.connect();
  await admin.query('CREATE TABLE items (id int PRIMARY KEY, v int); INSERT INTO items SELECT g, 0 FROM generate_series(1, 1000) g');
  sessions = new BackgroundSessions(server.url(DB), () => t0);
});

afterAll(async () => {
  await sessions.stopAll();
  await admin.end();
  await dropDatabase(server, DB);
});

describe('background sessions', () => {
  it('should hold ACCESS SHARE idle in a transaction, named rehearse-background/<name>, until stopped', async () => {
    const s = await sessions.start('idle', { session: 'idle-in-transaction', table: 'items', seconds: 30 });
    expect(s.applicationName).toBe('rehearse-background/idle');
    expect(await activity('rehearse-background/idle')).toMatchObject({ state: 'idle in transaction', modes: ['AccessShareLock'] });
    const t = now();
    await sessions.stopAll();
    expect(now() - t).toBeLessThan(2000);
    expect(await activity('rehearse-background/idle')).toBeUndefined();
    expect(sessions.events().find((e) => e.details?.name === 'idle')).toMatchObject({ kind: 'background-session', details: { endedBy: 'variant-end' } });
  });

  it('should run a long query that ends on its own after its hold, as a band of that length', async () => {
    const bg = new BackgroundSessions(server.url(DB), () => t0);
    await bg.start('report', { session: 'long-query', table: 'items', seconds: 1 });
    expect(await activity('rehearse-background/report')).toMatchObject({ state: 'active', query: 'SELECT count(*) FROM items CROSS JOIN pg_sleep(1)', modes: ['AccessShareLock'] });
    await sleep(1500);
    expect(await activity('rehearse-background/report')).toBeUndefined();
    const ev = bg.events()[0]!;
    expect(ev.details).toMatchObject({ endedBy: 'hold' });
    expect(ev.endMs! - ev.atMs).toBeGreaterThan(900);
    expect(ev.endMs! - ev.atMs).toBeLessThan(1500);
  });

  it('should hold rows FOR UPDATE so that a writer of those rows waits', async () => {
    const bg = new BackgroundSessions(server.url(DB), () => t0);
    await bg.start('locker', { session: 'for-update', table: 'items', seconds: 30, sql: 'SELECT * FROM items WHERE id <= 5 FOR UPDATE' });
    await admin.query("SET lock_timeout = '100ms'");
    await expect(admin.query('UPDATE items SET v = 1 WHERE id = 3')).rejects.toMatchObject({ code: '55P03' });
    await admin.query('UPDATE items SET v = 1 WHERE id = 6');
    await admin.query('RESET lock_timeout');
    await bg.stopAll();
    await admin.query('UPDATE items SET v = 1 WHERE id = 3');
  });

  it('should run an analytics query again and again until its hold ends', async () => {
    const bg = new BackgroundSessions(server.url(DB), () => t0);
    await bg.start('analytics', { session: 'repeated-query', table: 'items', seconds: 0.6, intervalMs: 50 });
    await sleep(900);
    const ev = bg.events()[0]!;
    expect(ev.details?.runs).toBeGreaterThan(2);
    expect(ev.details?.endedBy).toBe('hold');
  });

  it('should fail to start on a table that does not exist, and say so', async () => {
    const bg = new BackgroundSessions(server.url(DB), () => t0);
    await expect(bg.start('typo', { session: 'idle-in-transaction', table: 'itemz', seconds: 1 })).rejects.toMatchObject({ code: '42P01' });
    await bg.stopAll();
  });
});
