// Samples, on its own connection, every backend of the rehearsal database that waits on a
// heavyweight lock: who it is, which lock mode on which relation it wants, and the whole
// queue in front of it (pg_blocking_pids). Sampling never takes locks that the app needs.
import type pg from 'pg';
import { pgClient } from '../postgres/client.ts';
import { now } from '../clock.ts';
import type { LockSample } from '../model/records.ts';


const SAMPLE_SQL = `
SELECT a.pid, a.application_name, left(a.query, 500) AS query,
       l.mode, CASE WHEN l.relation IS NULL THEN NULL ELSE l.relation::regclass::text END AS relation,
       pg_blocking_pids(a.pid) AS blockers,
       (extract(epoch FROM clock_timestamp() - l.waitstart) * 1000)::float8 AS waiting_ms
FROM pg_stat_activity a
-- An inner join: a backend granted its lock between reading pg_stat_activity and pg_locks no
-- longer waits, and must not show up as a wait on an unknown lock.
JOIN LATERAL (
  SELECT mode, relation, waitstart FROM pg_locks WHERE pid = a.pid AND NOT granted LIMIT 1
) l ON true
WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()`;

// Who the blockers are: the root of a lock queue is often a session that is not waiting at all (a
// report query, a transaction left idle), and a pid alone does not say which. Any database.
const BLOCKERS_SQL = `
SELECT pid, application_name, state, left(query, 500) AS query, wait_event_type = 'Lock' AS waiting,
       (extract(epoch FROM clock_timestamp() - xact_start) * 1000)::float8 AS xact_age_ms
FROM pg_stat_activity WHERE pid = ANY($1::int[])`;

export class LockSampler {
  readonly samples: LockSample[] = [];
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  /** Samples skipped because the previous one was still running (sampler overload). */
  overruns = 0;

  constructor(private readonly databaseUrl: string, readonly intervalMs = 100) {}

  async start(): Promise<void> {
    this.client = pgClient(this.databaseUrl, 'rehearse-observer');
    await this.client.connect();
    // Never let the observer itself queue behind a migration's lock.
    await this.client.query("SET lock_timeout = '50ms'; SET statement_timeout = '2s'");
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    if (this.inFlight) {
      this.overruns++;
      return;
    }
    this.inFlight = this.sampleOnce()
      .catch(() => {
        // A failed sample is a gap, not a zero: it simply has no entry.
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  private async sampleOnce(): Promise<void> {
    const r = await this.client!.query(SAMPLE_SQL);
    const t = now();
    const pids = [...new Set(r.rows.flatMap((row) => (row.blockers ?? []) as number[]))];
    const b = pids.length ? await this.client!.query(BLOCKERS_SQL, [pids]) : { rows: [] };
    if (this.stopped) return;
    this.samples.push({
      t,
      blockers: b.rows.map((row) => ({
        pid: row.pid, application: row.application_name ?? '', state: row.state ?? null, query: row.query ?? '',
        waiting: row.waiting === true, xactAgeMs: row.xact_age_ms === null ? null : Math.round(row.xact_age_ms),
      })),
      waiters: r.rows.map((row) => ({
        pid: row.pid,
        application: row.application_name,
        mode: row.mode,
        relation: row.relation,
        blockers: row.blockers ?? [],
        waitingMs: row.waiting_ms,
        query: row.query,
      })),
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    this.stopped = true;
    await this.client?.end().catch(() => {});
  }
}
