// Every Postgres provider (embedded today; docker and url next) returns the same started handle.

export interface PostgresStartOptions {
  /** Major version to run; the embedded provider ships what its npm package carries. */
  version?: string;
  /** Extra `-c name=value` settings layered over the rehearsal defaults. */
  settings?: Record<string, string>;
  /** Receives postgres log lines (stderr). */
  onLog?: (line: string) => void;
}

export interface PostgresHandle extends AsyncDisposable {
  readonly provider: string;
  /** server_version as reported by the server, e.g. "18.4". */
  readonly version: string;
  readonly host: string;
  readonly port: number;
  /** Connection URI for a database on this server (defaults to `postgres`). */
  url(database?: string): string;
  /** Where the server log goes, when the provider keeps one. */
  readonly logFile: string | null;
  stop(): Promise<void>;
}

export interface PostgresProvider {
  readonly name: string;
  start(opts?: PostgresStartOptions): Promise<PostgresHandle>;
}

/**
 * Settings that matter for rehearsal, shared by every provider that controls the server.
 * Production-like durability (fsync and full_page_writes stay on, wal_level=replica) so a
 * rewrite costs what it costs in production; room for WAL so seeding does not checkpoint-storm.
 */
export const REHEARSAL_SETTINGS: Record<string, string> = {
  shared_buffers: '512MB',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  max_connections: '300',
  // Lock waits longer than deadlock_timeout are logged: a second witness beside the sampler.
  log_lock_waits: 'on',
  deadlock_timeout: '200ms',
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  track_io_timing: 'on',
  maintenance_work_mem: '512MB',
  // Keep autovacuum from racing the seed's own ANALYZE and the rewrite timings.
  autovacuum_naptime: '10s',
};
