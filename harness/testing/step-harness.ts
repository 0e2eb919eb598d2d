// Test support: a real StepContext on a fresh database, so step modules are tested against
// real Postgres locks, not mocks.
import pg from 'pg';
import { createDatabase } from '../postgres/databases.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { LockWaitWatcher } from '../observe/statement-tracer.ts';
import { StepClock } from '../model/windows.ts';
import type { StepContext } from '../runner/step-context.ts';
import type { AppFleet } from '../app/fleet.ts';
import { now } from '../clock.ts';
import { BackgroundSessions } from '../runner/background-sessions.ts';

let dbSeq = 0;

export async function stepHarness(handle: PostgresHandle, setupSql: string): Promise<{ ctx: StepContext; url: string; close: () => Promise<void>; logs: string[] }> {
  const name = `t_${process.pid}_${++dbSeq}`;
  await createDatabase(handle, name);
  const url = handle.url(name);
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(setupSql);
  await setup.end();
  const migration = new pg.Client({ connectionString: url, application_name: 'rehearse-migration' });
  await migration.connect();
  const migrationPid = (await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const watcher = new LockWaitWatcher(url);
  await watcher.start();
  const logs: string[] = [];
  const runStartMs = now();
  const background = new BackgroundSessions(url, () => runStartMs);
  const ctx: StepContext = {
    migration, migrationPid, watcher, clock: new StepClock(), runStartMs, background,
    fleet: undefined as unknown as AppFleet, log: (l) => logs.push(l), signal: new AbortController().signal,
  };
  return { ctx, url, logs, close: async () => { await background.stopAll(); await watcher.stop(); await migration.end(); } };
}

/** Holds `lockSql` in an open transaction on its own connection for `ms`, then commits. */
export async function holdLock(url: string, lockSql: string, ms: number): Promise<{ released: Promise<void> }> {
  const c = new pg.Client({ connectionString: url, application_name: 'test-blocker' });
  await c.connect();
  await c.query('BEGIN');
  await c.query(lockSql);
  const released = new Promise<void>((r) => setTimeout(r, ms)).then(async () => {
    await c.query('COMMIT');
    await c.end();
  });
  return { released };
}
