// Test support: a real StepContext on a fresh database, so step modules are tested against
// real Postgres locks, not mocks.
import type pg from 'pg';
import { pgClient } from '../postgres/client.ts';
import { FaultSchedule } from '../runner/fault-schedule.ts';
import type { RunEvent } from '../model/schema.ts';
import { createDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { LockWaitWatcher } from '../observe/statement-tracer.ts';
import { StepClock } from '../model/windows.ts';
import type { StepContext } from '../runner/step-context.ts';
import type { AppFleet } from '../app/fleet.ts';
import { now } from '../clock.ts';
import { BackgroundSessions } from '../runner/background-sessions.ts';

let dbSeq = 0;

export async function stepHarness(handle: PostgresHandle, setupSql: string, opts: { fleet?: AppFleet } = {}): Promise<{ ctx: StepContext; url: string; close: () => Promise<void>; logs: string[] }> {
  const name = `t_${process.pid}_${++dbSeq}`;
  await createDatabase(handle, name);
  const url = handle.url(name);
  const setup = pgClient(url, 'test-setup');
  await setup.connect();
  await setup.query(setupSql);
  await setup.end();
  const connect = async (): Promise<{ client: pg.Client; pid: number }> => {
    const client = pgClient(url, 'rehearse-migration');
    await client.connect();
    return { client, pid: (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid };
  };
  const first = await connect();
  const watcher = new LockWaitWatcher(url);
  await watcher.start();
  const logs: string[] = [];
  const clock = new StepClock();
  const events: RunEvent[] = [];
  const runStartMs = now();
  const background = new BackgroundSessions(url, () => runStartMs);
  const signal = new AbortController().signal;
  const log = (l: string) => void logs.push(l);
  const ctx: StepContext = {
    migration: first.client, migrationPid: first.pid,
    async reconnectMigration() {
      void ctx.migration.end().catch(() => {});
      const next = await connect();
      ctx.migration = next.client;
      ctx.migrationPid = next.pid;
    },
    databaseUrl: url, watcher, clock, runStartMs, background, events, log, signal, requestFactory: null,
    faults: new FaultSchedule({ runStartMs: () => runStartMs, events, clock, log, signal }),
    fleet: opts.fleet ?? (undefined as unknown as AppFleet),
  };
  return { ctx, url, logs, close: async () => { await background.stopAll(); await watcher.stop(); await ctx.migration.end().catch(() => {}); } };
}

/** When a blocker released its locks, measured by the test on the monotonic clock. */
export interface Release {
  /** Just before COMMIT was sent: the locks were certainly still held. */
  commitSentMs: number;
  /** When COMMIT returned: the locks were certainly gone. */
  committedMs: number;
}

/**
 * Holds `lockSql` in an open transaction on its own connection for `ms`, then commits. heldAtMs is
 * when the lock was certainly taken; `released` says when it was let go. These are the test's own
 * measurements, independent of the tracer, so the tracer can be checked against them.
 */
export async function holdLock(url: string, lockSql: string, ms: number): Promise<{ heldAtMs: number; released: Promise<Release> }> {
  const c = pgClient(url, 'test-blocker');
  await c.connect();
  await c.query('BEGIN');
  await c.query(lockSql);
  const heldAtMs = now();
  const released = new Promise<void>((r) => setTimeout(r, ms)).then(async () => {
    const commitSentMs = now();
    await c.query('COMMIT');
    const committedMs = now();
    await c.end();
    return { commitSentMs, committedMs };
  });
  return { heldAtMs, released };
}
