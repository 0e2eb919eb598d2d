// Every Postgres provider (embedded, docker, url; see providers.ts) returns the same started handle.
import type { RehearseError } from '../errors.ts';
import type { PostgresFlags, Problem } from './postgres-flags.ts';

export interface PostgresStartOptions {
  /** Extra `-c name=value` settings layered over the rehearsal defaults. */
  settings?: Record<string, string>;
  /** A fixed port to listen on (default: a free one). */
  port?: number;
  /** Receives postgres log lines (stderr), passwords masked. */
  onLog?: (line: string) => void;
}

/** What this server lets the harness do; the report lists what follows from a `false`. */
export interface PostgresCapabilities {
  /** CREATE DATABASE works, so variants run on template clones (databases.ts). */
  createDatabase: boolean;
  /** Connected as a superuser (server settings, every extension, every session visible). */
  superuser: boolean;
  /** pg_stat_statements is loaded and readable in new databases. */
  pgStatStatements: boolean;
}

/**
 * Where the harness seeds and how each variant gets identical data.
 * - `clone`: seed once into `seedInto` (or a database of the harness's choosing when null) and
 *   give every variant a `CREATE DATABASE … TEMPLATE` copy (databases.ts).
 * - `reseed`: no CREATEDB; seed `seedInto` itself, run one variant, `resetDatabase()` and seed
 *   again for the next one.
 */
export interface DatabasePolicy {
  seedInto: string | null;
  variants: 'clone' | 'reseed';
  /** The whole server is ours (embedded, docker); otherwise only databases rehearse created may be dropped. */
  ownsServer: boolean;
  /** Where CREATE/DROP DATABASE run from (never the template being copied: it must have no sessions). */
  adminDatabase: string;
}

export interface PostgresHandle extends AsyncDisposable {
  readonly provider: string;
  /** server_version as reported by the server, e.g. "18.4". */
  readonly version: string;
  /** The major of `version`, e.g. 18. */
  readonly major: number;
  readonly host: string;
  readonly port: number;
  /** Connection URI for a database on this server (defaults to `postgres`). May hold a password: log it with maskUrl(). */
  url(database?: string): string;
  /** Where the server log goes, when the provider keeps one. */
  readonly logFile: string | null;
  readonly capabilities: PostgresCapabilities;
  /** One sentence per thing this server cannot give the report, e.g. "per-statement totals: pg_stat_statements is not installed". */
  readonly notMeasured: readonly string[];
  /** Facts the report should show beside the numbers (e.g. sessions of other databases on a shared server). */
  readonly notes: readonly string[];
  readonly databases: DatabasePolicy;
  /** Present when the warm-start cache can snapshot this server (seed-cache.ts). */
  readonly snapshot?: ClusterSnapshotter;
  /**
   * Settles when the server goes away on its own (crash, OOM kill) with the error to report;
   * never settles after stop(). Providers that cannot tell leave it out, and a dead server
   * then shows as failing connections.
   */
  readonly died?: Promise<RehearseError>;
  /**
   * The postmaster's pid on this machine: its process tree is the whole server (every backend), so
   * its CPU can be measured. Null or absent when the server's processes are not visible here
   * (a container in a VM, another host); the report then says Postgres CPU was not measured.
   */
  serverPid?(): number | null;
  stop(): Promise<void>;
}

/** A saved cluster, as the seed cache records it. */
export interface SavedCluster {
  /** `data-dir`: `ref` is a directory holding a stopped cluster; `docker-image`: `ref` is an image tag. */
  kind: 'data-dir' | 'docker-image';
  ref: string;
  sizeBytes: number;
}

/** A warm-start cache entry's hold on a server: which databases to keep, and how to let go. */
export interface EntryLease {
  /** Databases that belong to the entry (the seeded one); every other is dropped before release. */
  readonly keep: readonly string[];
  release(): Promise<void>;
}

export interface ClusterSnapshotter {
  /** Binaries and on-disk format; a saved cluster only restores under the same identity. */
  readonly identity: string;
  /**
   * Makes this running cluster the cache entry in `dir`. A data-dir provider moves the stopped
   * cluster there and keeps running from it, holding `lease` until it stops (it then drops every
   * database but `lease.keep` and shuts down cleanly); an image provider commits and releases at once.
   */
  save(dir: string, lease: EntryLease): Promise<SavedCluster>;
}

/** What a provider's file exports; providers.ts registers it with one line. */
export interface ProviderEntry<S extends { provider: string; settings?: Record<string, string> }> {
  /** The flags besides --postgres and --pg-setting that this provider takes; any other is a problem. */
  readonly flags: readonly (keyof PostgresFlags)[];
  /** Specs for the flags (several for a version matrix), without settings; problems go to `problem`. */
  fromFlags(flags: PostgresFlags, problem: Problem, env: NodeJS.ProcessEnv): Omit<S, 'settings'>[];
  start(spec: S, opts: PostgresStartOptions): Promise<PostgresHandle>;
  /** One line for logs and reports, never with a password, e.g. "docker rehearse/postgres:18, 2 CPUs". */
  describe(spec: S): string;
  /** How the warm-start cache saves and restores this provider's servers; absent when it cannot. */
  readonly snapshots?: {
    /** The identity a server started from `spec` will have (ClusterSnapshotter.identity), or null if unknown. */
    identity(spec: S): Promise<string | null>;
    /** Starts from a saved cluster; a data-dir provider runs on it in place and holds `lease` until it stops. */
    restore(spec: S, saved: SavedCluster, lease: EntryLease, opts: PostgresStartOptions): Promise<PostgresHandle>;
  };
}

/** The major of a server_version string ("18.4", "14.23", "19beta1"). */
export const majorOf = (version: string): number => Number.parseInt(version, 10);

/** Capabilities of a server that rehearse started itself. */
export const OWNED_SERVER = {
  capabilities: { createDatabase: true, superuser: true, pgStatStatements: true },
  notMeasured: [],
  notes: [],
  databases: { seedInto: null, variants: 'clone', ownsServer: true, adminDatabase: 'postgres' },
} as const satisfies Pick<PostgresHandle, 'capabilities' | 'notMeasured' | 'notes' | 'databases'>;

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

/** Settings the providers manage themselves (where the server listens); users cannot override them. */
export const MANAGED_SETTINGS = ['listen_addresses', 'port', 'unix_socket_directories', 'data_directory', 'hba_file', 'config_file'] as const;
