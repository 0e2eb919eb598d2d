// What a dataset is to the harness: something that turns an empty database into a seeded one,
// deterministically for a seed number. The sample app's users/orders dataset is one
// implementation (sample-app/dataset/), the schema-inferred dataset another (harness/dataset/schema/).
// The runner seeds once and clones the result per variant, so seeding never runs twice in a run.

/** Progress of a seed, for the console; `phase` is e.g. 'schema', 'copy', 'index:<name>', 'done', 'failed'. */
export interface SeedProgress {
  phase: string;
  table?: string;
  rows: number;
  total: number;
  rowsPerSec: number;
}

/** Row counts asked for: `--rows N` sets `default`; `--rows a=N,b=M` sets `tables`. */
export interface RowsSpec {
  default?: number;
  tables: Record<string, number>;
}

export interface SeedOptions {
  /** uint32; the same seed and inputs give identical tables. */
  seed: number;
  rows: RowsSpec;
  onProgress?: (p: SeedProgress) => void;
  /** Aborted on Ctrl-C: stop at the next safe point and throw. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SeededDataset {
  /** Rows loaded per table, as counted by the server (COPY row counts). */
  tables: Record<string, number>;
  seconds: number;
  /** Total rows / seconds, end to end (schema, COPY, indexes, ANALYZE). */
  rowsPerSec: number;
  /** Milliseconds per phase. */
  phases: Record<string, number>;
  /** Things the reader should know, e.g. "FK cycle a → b broken through nullable b.a_id, filled afterwards". */
  notes: string[];
}

export interface DatasetSource {
  /** One line for reports, e.g. "sample users/orders" or "inferred from schema.sql (42 tables)". */
  readonly description: string;
  /**
   * Everything that determines the seeded bytes apart from seed and rows (schema text,
   * overrides, generator version): the warm-start cache keys on it. JSON-serialisable.
   */
  readonly cacheKey: Record<string, unknown>;
  /** Turns an empty database into the seeded one. Throws RehearseError on bad input. */
  seed(databaseUrl: string, opts: SeedOptions): Promise<SeededDataset>;
  /**
   * Bytes the seeded database will take on disk (tables and indexes) for these row counts, so
   * disk space is checked before anything starts. Optional: without it the check is skipped and
   * the run says so.
   */
  estimateBytes?(rows: RowsSpec): DiskEstimate;
}

export interface DiskEstimate {
  bytes: number;
  /** How it was estimated, for the message, e.g. "1,000,000 users × ≈550 bytes (a user, its ≈3 orders, indexes)". */
  explain: string;
}
