// Sessions that run beside the migration, as production traffic outside the app does: a report
// query, a transaction left idle, an analytics job, rows held FOR UPDATE. The classic outage is a
// lock queue behind one of them, and a rehearsal without them says the migration is harmless.
// Each runs on its own connection named `rehearse-background/<name>` (so the lock sampler names
// it as a root blocker), holds for its time, and is stopped at the end of the variant or on
// Ctrl-C (cleanup registry). Each becomes a band on the timeline (a RunEvent with an end).
import type pg from 'pg';
import { pgClient, withClient } from '../postgres/client.ts';
import { registerCleanup } from '../cleanup.ts';
import { now, sleep } from '../clock.ts';
import { sqlstateOf } from '../errors.ts';
import type { RunEvent } from '../model/schema.ts';
import type { BackgroundSessionSpec } from '../scenario.ts';
import { IDENTIFIER } from './sql-validation.ts';

export const BACKGROUND_APP_PREFIX = 'rehearse-background/';
const QUERY_CANCELED = '57014';
/** How long a stopped session may take to end before its backend is terminated. */
const STOP_GRACE_MS = 3000;

/** The SQL a session runs, in the order it runs it (shown in the report). */
export function backgroundSql(spec: BackgroundSessionSpec): string {
  const t = spec.table;
  switch (spec.session) {
    // A report that reads the table and takes `seconds`: ACCESS SHARE for the whole statement.
    case 'long-query': return spec.sql ?? `SELECT count(*) FROM ${t} CROSS JOIN pg_sleep(${spec.seconds})`;
    // Reads one row: enough to hold ACCESS SHARE until the transaction ends.
    case 'idle-in-transaction': return spec.sql ?? `SELECT count(*) FROM (SELECT 1 FROM ${t} LIMIT 1) AS one_row`;
    case 'repeated-query': return spec.sql ?? `SELECT count(*) FROM ${t}`;
    case 'for-update': return spec.sql ?? `SELECT 1 FROM ${t} LIMIT ${spec.rows ?? 100} FOR UPDATE`;
  }
}

/** Problems with a session spec, as sentences (empty when valid). */
export function backgroundProblems(spec: Partial<BackgroundSessionSpec>): string[] {
  const out: string[] = [];
  const kinds = ['long-query', 'idle-in-transaction', 'repeated-query', 'for-update'];
  if (!kinds.includes(spec.session as string)) out.push(`session must be one of ${kinds.join(', ')}, got ${JSON.stringify(spec.session)}`);
  if (typeof spec.table !== 'string' || !IDENTIFIER.test(spec.table)) out.push(`table must be a table name, got ${JSON.stringify(spec.table)}`);
  if (typeof spec.seconds !== 'number' || !(spec.seconds > 0)) out.push(`seconds (how long it holds) must be > 0, got ${JSON.stringify(spec.seconds)}`);
  if (spec.sql !== undefined && (typeof spec.sql !== 'string' || !spec.sql.trim())) out.push('sql must be a non-empty string');
  if (spec.intervalMs !== undefined && !(spec.intervalMs >= 0)) out.push('intervalMs must be ≥ 0');
  if (spec.rows !== undefined && !(Number.isInteger(spec.rows) && spec.rows > 0)) out.push('rows must be a positive integer');
  return out;
}

type EndedBy = 'hold' | 'variant-end' | 'error';

class Session {
  pid = 0;
  client: pg.Client;
  startedAt: number | null = null;
  endedAt: number | null = null;
  endedBy: EndedBy = 'hold';
  error: { sqlstate?: string; message: string } | null = null;
  runs = 0;
  stopping = false;
  /** We cancelled its query (end of the hold, or of the variant): a 57014 is then how it ends. */
  cancelled = false;
  /** A query is in flight on the client (cancel it to stop). */
  busy = false;
  done!: Promise<void>;
  private wakeUp: (() => void) | null = null;

  constructor(readonly name: string, readonly spec: BackgroundSessionSpec, url: string) {
    // A terminated session fails its query, never the process (pgClient listens for 'error').
    this.client = pgClient(url, `${BACKGROUND_APP_PREFIX}${name}`);
  }

  get applicationName(): string {
    return `${BACKGROUND_APP_PREFIX}${this.name}`;
  }

  async query(sql: string): Promise<void> {
    this.busy = true;
    try {
      await this.client.query(sql);
    } finally {
      this.busy = false;
    }
  }

  /** Sleeps until `until` (monotonic) or until stopped. */
  async idleUntil(until: number): Promise<void> {
    const left = until - now();
    if (left <= 0 || this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.wakeUp = () => { clearTimeout(timer); resolve(); };
    });
    this.wakeUp = null;
  }

  wake(): void {
    this.wakeUp?.();
  }
}

export class BackgroundSessions {
  private readonly sessions: Session[] = [];

  constructor(private readonly url: string, private readonly runStartMs: () => number, private readonly log: (line: string) => void = () => {}) {}

  /**
   * Starts a session; resolves once it holds what it holds (its first statement has taken its lock),
   * so the step after it runs behind it. Throws when the session cannot start (e.g. no such table).
   */
  async start(name: string, spec: BackgroundSessionSpec): Promise<{ pid: number; applicationName: string }> {
    const s = new Session(name, spec, this.url);
    this.sessions.push(s);
    const unregister = registerCleanup({ name: `background session ${s.applicationName}`, run: () => this.stop(s, 'variant-end') });
    try {
      await s.client.connect();
      s.pid = (await s.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    } catch (err) {
      unregister();
      s.error = { sqlstate: sqlstateOf(err), message: (err as Error).message };
      s.endedBy = 'error';
      await s.client.end().catch(() => {});
      throw err;
    }
    let holding!: () => void;
    let failed!: (err: unknown) => void;
    const started = new Promise<void>((resolve, reject) => { holding = resolve; failed = reject; });
    s.done = this.drive(s, holding)
      .catch((err) => {
        // Our own cancel (end of the hold, or of the variant) is how a running query ends.
        if (!(s.cancelled && sqlstateOf(err) === QUERY_CANCELED)) {
          s.error = { sqlstate: sqlstateOf(err), message: (err as Error).message };
          s.endedBy = 'error';
        } else if (s.stopping) {
          s.endedBy = 'variant-end';
        }
        failed(err);
      })
      .finally(async () => {
        s.endedAt ??= now();
        unregister();
        await s.client.end().catch(() => {});
        this.log(`  background ${s.applicationName} ended (${s.endedBy}${s.error ? `: ${s.error.message}` : ''})`);
      });
    await started;
    this.log(`  background ${s.applicationName} (pid ${s.pid}) holds ${spec.session} on ${spec.table} for ${spec.seconds} s`);
    return { pid: s.pid, applicationName: s.applicationName };
  }

  /** The session's whole life: take what it holds, hold it, release it. */
  private async drive(s: Session, holding: () => void): Promise<void> {
    const spec = s.spec;
    const sql = backgroundSql(spec);
    if (s.stopping) return holding(); // stopped while it connected
    const holdMs = spec.seconds * 1000;
    if (spec.session === 'idle-in-transaction' || spec.session === 'for-update') {
      await s.query('BEGIN');
      await s.query(sql);
      s.startedAt = now();
      holding();
      await s.idleUntil(s.startedAt + holdMs);
      if (s.stopping) s.endedBy = 'variant-end';
      await s.query(s.stopping ? 'ROLLBACK' : 'COMMIT');
      s.endedAt = now();
      return;
    }
    if (spec.session === 'long-query') {
      s.startedAt = now();
      const running = s.query(sql);
      running.catch(() => {});
      await this.untilHolding(s, running);
      holding();
      const timer = setTimeout(() => void this.cancel(s), holdMs);
      try {
        await running;
      } finally {
        clearTimeout(timer);
        s.endedAt = now();
        if (s.stopping) s.endedBy = 'variant-end';
      }
      return;
    }
    // repeated-query: run, pause, run again, until the hold ends.
    s.startedAt = now();
    const until = s.startedAt + holdMs;
    let first = true;
    while (!s.stopping && now() < until) {
      const running = s.query(sql);
      running.catch(() => {});
      if (first) {
        await this.untilHolding(s, running);
        holding();
        first = false;
      }
      const timer = setTimeout(() => void this.cancel(s), Math.max(0, until - now()));
      try {
        await running;
        s.runs++;
      } catch (err) {
        if (!(s.cancelled && sqlstateOf(err) === QUERY_CANCELED)) throw err;
      } finally {
        clearTimeout(timer);
      }
      await s.idleUntil(Math.min(until, now() + (spec.intervalMs ?? 500)));
    }
    if (first) holding();
    if (s.stopping) s.endedBy = 'variant-end';
    s.endedAt = now();
  }

  /** Waits until the running query holds a lock on the session's table (at most 2 s), or it ended. */
  private async untilHolding(s: Session, running: Promise<void>): Promise<void> {
    let ended = false;
    void running.then(() => { ended = true; }, () => { ended = true; });
    const probe = pgClient(this.url, 'rehearse-background-probe');
    await probe.connect();
    try {
      const deadline = now() + 2000;
      while (!ended && now() < deadline) {
        const r = await probe.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND granted AND relation = to_regclass($2)', [s.pid, s.spec.table]);
        if (r.rowCount) return;
        await sleep(10);
      }
      if (ended) await running; // it failed (or finished) before it held anything: say why
    } finally {
      await probe.end().catch(() => {});
    }
  }

  private async cancel(s: Session): Promise<void> {
    if (!s.busy || !s.pid) return;
    s.cancelled = true;
    await adminQuery(this.url, 'SELECT pg_cancel_backend($1)', [s.pid]).catch(() => {});
  }

  /** Ends one session now: wake it from idling, cancel its query, terminate it if it does not end. */
  private async stop(s: Session, why: EndedBy): Promise<void> {
    if (s.endedAt !== null && !s.busy) return;
    s.stopping = true;
    if (s.endedBy !== 'error') s.endedBy = why;
    s.wake();
    await this.cancel(s);
    const ended = await Promise.race([(s.done ?? Promise.resolve()).then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!ended && s.pid) {
      await adminQuery(this.url, 'SELECT pg_terminate_backend($1)', [s.pid]).catch(() => {});
      await s.done?.catch(() => {});
    }
  }

  /** Stops every session still running (end of the variant, or Ctrl-C). */
  async stopAll(): Promise<void> {
    await Promise.all(this.sessions.map((s) => this.stop(s, 'variant-end')));
  }

  /** One timeline band per session: from when it held its lock to when it let go. */
  events(): RunEvent[] {
    const rel = (t: number) => Math.round(t - this.runStartMs());
    return this.sessions.filter((s) => s.startedAt !== null || s.error).map((s) => {
      const at = s.startedAt ?? s.endedAt ?? now();
      return {
        kind: 'background-session',
        atMs: rel(at),
        endMs: rel(s.endedAt ?? now()),
        label: `${s.spec.session} on ${s.spec.table} (${s.applicationName})${s.error ? `: failed, ${s.error.message}` : ''}`,
        details: {
          name: s.name, session: s.spec.session, table: s.spec.table, pid: s.pid, applicationName: s.applicationName,
          holdSeconds: s.spec.seconds, sql: backgroundSql(s.spec), endedBy: s.endedBy,
          ...(s.spec.session === 'repeated-query' ? { runs: s.runs } : {}),
          ...(s.error ? { error: s.error } : {}),
        },
      };
    });
  }
}

async function adminQuery(url: string, sql: string, params: unknown[]): Promise<void> {
  await withClient(url, 'rehearse-background-stop', (c) => c.query(sql, params));
}
