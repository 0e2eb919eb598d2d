// The lock sampler against ground truth: one waiter behind a lock of known duration held by a
// known backend. The sampled wait must name that backend as its blocker, the right lock mode and
// relation, and last as long as the hold (two-sided, within one sampling interval).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now, sleep } from '../clock.ts';
import { lockWaitEvents } from '../model/build-result.ts';
import { StepClock } from '../model/windows.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { createScratchDatabase, type ScratchDatabase } from '../seed/scratch-db.ts';
import { LockSampler } from './lock-sampler.ts';

const HOLD_MS = 1000;
const INTERVAL_MS = 100;
let handle: PostgresHandle;
let db: ScratchDatabase;
beforeAll(async () => {
  handle = await startEmbeddedPostgres();
  db = await createScratchDatabase(handle.url(), 'lock_sampler');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  // No autovacuum on it: an autovacuum worker queued behind the test's lock would be a second, real, waiter.
  await c.query('CREATE TABLE accounts (id int PRIMARY KEY) WITH (autovacuum_enabled = false); INSERT INTO accounts SELECT generate_series(1, 100)');
  await c.end();
});
afterAll(async () => {
  await handle?.stop();
});

const client = async (name: string) => {
  const c = new pg.Client({ connectionString: db.url, application_name: name });
  await c.connect();
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return { c, pid };
};

describe('lock sampler', () => {
  it('should see one waiter behind a known blocker for as long as the blocker holds the lock', async () => {
    const holder = await client('test-holder');
    const waiter = await client('test-waiter');
    const sampler = new LockSampler(db.url, INTERVAL_MS);
    await sampler.start();
    const runStartMs = now();
    const clock = new StepClock();
    clock.steps.push({ name: 'hold', startMs: runStartMs, endMs: null });

    await holder.c.query('BEGIN');
    await holder.c.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
    const waitSentMs = now();
    const read = waiter.c.query('SELECT count(*) FROM accounts').then(() => now());
    await sleep(HOLD_MS);
    const commitSentMs = now();
    await holder.c.query('COMMIT');
    const readDoneMs = await read;
    await sleep(2 * INTERVAL_MS);
    await sampler.stop();
    const runEndMs = now();
    await Promise.all([holder.c.end(), waiter.c.end()]);

    const events = lockWaitEvents({ runStartMs, runEndMs, lockSamples: sampler.samples, clock });
    // Exactly one backend waited: the waiter, on ACCESS SHARE of accounts, blocked by the holder alone.
    expect(events, JSON.stringify(events)).toHaveLength(1);
    const [e] = events;
    expect(e).toMatchObject({ pid: waiter.pid, application: 'test-waiter', mode: 'AccessShareLock', relation: 'accounts', blockers: [holder.pid], step: 'hold', query: 'SELECT count(*) FROM accounts' });
    // It started waiting when the read was sent (server-side waitstart: within a round trip on a busy machine)…
    expect(e!.waitStartMs).not.toBeNull();
    expect(e!.waitStartMs!).toBeGreaterThanOrEqual(Math.floor(waitSentMs - runStartMs) - 5);
    expect(e!.waitStartMs!).toBeLessThanOrEqual(waitSentMs - runStartMs + 250);
    // …and was last seen within one interval (plus a sample's own time) of the commit that released it.
    expect(e!.lastSeenMs).toBeLessThanOrEqual(readDoneMs - runStartMs + 5);
    expect(e!.lastSeenMs).toBeGreaterThanOrEqual(commitSentMs - runStartMs - INTERVAL_MS - 50);
    const waited = e!.lastSeenMs - e!.waitStartMs!;
    expect(waited).toBeGreaterThanOrEqual(HOLD_MS - INTERVAL_MS - 250);
    expect(waited).toBeLessThanOrEqual(readDoneMs - waitSentMs + 5);
    // No sample ever saw a waiter after the read returned.
    expect(sampler.samples.filter((s) => s.t > readDoneMs + 5).every((s) => s.waiters.length === 0)).toBe(true);
  });
});
