// CLI flags, declared once in a table: the parser, the validation and --help all read it.
// Every problem is collected and reported together with a code, never guessed around.
import { parseArgs } from 'node:util';
import type { RowsSpec } from '../dataset/types.ts';
import { RehearseError } from '../errors.ts';
import { parseBudgetFlag, type BudgetValue } from '../model/budgets.ts';
import { parseTolerance, type CompareMetric, type Tolerance } from '../model/compare.ts';
import type { WarmupSetting } from '../runner/warm-up.ts';
import { parseBackgroundFlag, uniqueNames } from '../plan/background-option.ts';
import type { RunBackground } from '../runner/run-variant.ts';
import type { PostgresFlags } from '../postgres/postgres-flags.ts';

type Kind = 'string' | 'boolean';
interface Flag {
  type: Kind;
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in --help, e.g. "<n>". */
  arg?: string;
  help: string;
  section: 'run' | 'own' | 'postgres' | 'load' | 'app' | 'budgets' | 'output' | 'compare' | 'info';
}

export const FLAGS = {
  variant: { type: 'string', multiple: true, arg: '<name>', section: 'run', help: 'variant to run; repeat for several (default: every variant of the scenario)' },
  schema: { type: 'string', arg: '<file|dir>', section: 'own', help: 'your baseline schema: a pg_dump --schema-only file, or a directory of migrations already applied' },
  migrations: { type: 'string', arg: '<file|dir>', section: 'own', help: 'the migrations to rehearse, one step per file (Prisma, golang-migrate, dbmate, Flyway or plain layout)' },
  workload: { type: 'string', arg: '<file>', section: 'own', help: 'your app\'s queries (defineWorkload); derived from the schema when absent' },
  'lock-timeout': { type: 'string', arg: '<duration>', section: 'own', help: 'wrap each migration transaction in lock_timeout (e.g. 2s), retried on 55P03' },
  retries: { type: 'string', arg: '<n>', section: 'own', help: 'lock-timeout retries per transaction, with backoff and jitter (default 10 with --lock-timeout)' },
  config: { type: 'string', arg: '<file>', section: 'own', help: 'a rehearse.config.ts (defineConfig); default: ./rehearse.config.ts when present' },
  rows: { type: 'string', arg: '<n | t=n,…>', section: 'run', help: 'rows to seed: root-table rows (sample: users, default 1000000), or exact counts per table' },
  seed: { type: 'string', arg: '<n>', section: 'run', help: 'dataset and load seed (default: 1)' },
  'pg-port': { type: 'string', arg: '<n>', section: 'run', help: 'port for the embedded Postgres, e.g. to watch it with psql (default: a free port)' },
  scales: { type: 'string', arg: '<n,n,…>', section: 'run', help: 'rehearse at each size (root-table rows, e.g. 100k,300k,1m) and project statement costs to production' },
  'production-rows': { type: 'string', arg: '<t=n,…>', section: 'run', help: 'production rows per table, the target of the --scales projection (e.g. Booking=250m)' },
  postgres: { type: 'string', arg: '<embedded|docker|url>', section: 'postgres', help: 'where Postgres comes from: embedded binaries (default), a docker container (testcontainers), or a database you have (--pg-url)' },
  pg: { type: 'string', arg: '<14,16,18>', section: 'postgres', help: 'embedded: the Postgres major(s); several rehearse each variant on each version, side by side (default: 18)' },
  'pg-image': { type: 'string', multiple: true, arg: '<image>', section: 'postgres', help: 'docker: the image (default postgres:18); repeat for a version matrix' },
  'pg-cpus': { type: 'string', arg: '<n>', section: 'postgres', help: 'docker: CPU limit of the container, e.g. 2 or 0.5, to mimic an instance class' },
  'pg-memory': { type: 'string', arg: '<size>', section: 'postgres', help: 'docker: memory limit of the container, e.g. 4g or 512m' },
  'pg-setting': { type: 'string', multiple: true, arg: '<key=value>', section: 'postgres', help: 'a server setting, e.g. work_mem=64MB; repeatable; every provider honours it' },
  'pg-url': { type: 'string', arg: '<url>', section: 'postgres', help: 'url: the server to rehearse on (or REHEARSE_PG_URL, which keeps the password out of ps); never printed with its password' },
  disposable: { type: 'string', arg: '<db>', section: 'postgres', help: 'url: the database named in --pg-url, declared disposable: everything in it may be dropped (required)' },
  'allow-foreign-sessions': { type: 'boolean', section: 'postgres', help: 'url: rehearse even when sessions other than its own are connected (the report lists them)' },
  'no-cache': { type: 'boolean', section: 'postgres', help: 'seed afresh instead of reusing a cached seeded database (also REHEARSE_CACHE=off)' },
  load: { type: 'string', arg: '<open|closed>', section: 'load', help: 'open: fixed arrival rate, latency from scheduled start (default); closed: autocannon connections' },
  rate: { type: 'string', arg: '<n>', section: 'load', help: 'open-model arrivals per second (default: 40 % of the probed capacity)' },
  connections: { type: 'string', arg: '<n>', section: 'load', help: 'closed-model connections (default: 32)' },
  'timeout-ms': { type: 'string', arg: '<n>', section: 'load', help: 'per-request timeout of the load driver (default: 30000)' },
  'sample-interval-ms': { type: 'string', arg: '<n>', section: 'load', help: 'lock sampler interval (default: 100)' },
  warmup: { type: 'string', arg: '<s|auto>', section: 'load', help: 'load before the first step, excluded from every statistic: auto (default) until p99 is steady for 3 s (at most 30 s); a length (20, 20s, 500ms) fixes it; 0 turns it off' },
  instances: { type: 'string', arg: '<n>', section: 'app', help: 'app instances behind the balancer (default: 2)' },
  'pool-size': { type: 'string', arg: '<n>', section: 'app', help: 'pg pool size per app instance (default: 10)' },
  'slow-start': { type: 'string', arg: '<s>', section: 'app', help: "balancer slow start: an instance joining during a deploy gets a share of traffic that ramps up linearly over this long, like ALB/Envoy (default: 0, off, as in most balancers)" },
  'app-statement-timeout-ms': { type: 'string', arg: '<n>', section: 'app', help: "statement_timeout of the app's sessions (default: none)" },
  'app-lock-timeout-ms': { type: 'string', arg: '<n>', section: 'app', help: "lock_timeout of the app's sessions: a blocking migration then shows as errors (default: none)" },
  'max-stall-ms': { type: 'string', arg: '<n>', section: 'budgets', help: 'budget: longest stall allowed; a stall equal to it passes (default: 1000)' },
  'max-error-rate': { type: 'string', arg: '<x>', section: 'budgets', help: 'budget: error rate allowed, 0..1; 0 passes a run with no errors (default: 0.001)' },
  'fail-on-breach': { type: 'boolean', section: 'budgets', help: 'exit with code 3 when a variant breaches its budget' },
  budget: { type: 'string', multiple: true, arg: '<metric{scope}<=n>', section: 'budgets', help: 'a budget, e.g. longestStallMs{step:contract}<=500 or p99Ms{route:read-by-id}<=200,abortOnFail; repeatable' },
  all: { type: 'boolean', section: 'run', help: 'rehearse every scenario in scenarios/ (an index page links the reports, docs/findings.md is regenerated)' },
  background: { type: 'string', multiple: true, arg: '<kind:table:hold[@start]>', section: 'run', help: 'a session beside every variant: long-query, idle-in-transaction, repeated-query or for-update on a table, e.g. idle-in-transaction:users:30s@2s; repeatable' },
  harden: { type: 'boolean', section: 'run', help: 'add a variant per variant: its sql steps rewritten by the safe patterns (CONCURRENTLY, NOT VALID + VALIDATE, lock_timeout + retry), rehearsed side by side' },
  'rehearse-rollback': { type: 'boolean', section: 'run', help: 'run forward to the last reversible step, roll back under load, deploy the old app version and check the old code is healthy again' },
  calibrate: { type: 'boolean', section: 'run', help: 'first hold ACCESS EXCLUSIVE on a scratch table for 1 s under load and report how closely the detectors measured it' },
  out: { type: 'string', arg: '<dir>', section: 'output', help: 'where reports go (default: reports)' },
  findings: { type: 'string', arg: '<file>', section: 'output', help: 'write the findings page (every variant, and the literature\'s claims measured) for the scenarios run; --all writes docs/findings.md' },
  junit: { type: 'string', arg: '<file>', section: 'output', help: 'also write JUnit XML: one testcase per budget per step, failures name metric, limit, value and step' },
  'summary-md': { type: 'string', arg: '<file>', section: 'output', help: 'also write a Markdown summary (appended to $GITHUB_STEP_SUMMARY as well when it is set)' },
  'baseline-dir': { type: 'string', arg: '<dir>', section: 'compare', help: 'compare: the baseline is the latest earlier report of the same scenario under this directory' },
  tolerance: { type: 'string', multiple: true, arg: '<metric=abs,rel%>', section: 'compare', help: 'compare: override a tolerance, e.g. longestStallMs=300,50%; repeatable' },
  list: { type: 'boolean', section: 'info', help: 'list scenarios and their variants' },
  help: { type: 'boolean', short: 'h', section: 'info', help: 'this help' },
  version: { type: 'boolean', section: 'info', help: 'print the version' },
} as const satisfies Record<string, Flag>;

const SECTIONS: Record<Flag['section'], string> = { run: 'What to rehearse', own: 'Your own migration (instead of a scenario)', postgres: 'Postgres', load: 'Load', app: 'App under test', budgets: 'Budgets', output: 'Output', compare: 'rehearse compare', info: 'Info' };

export const HELP = (() => {
  const lines = [
    'rehearse — rehearse a PostgreSQL schema migration under production-like load',
    '',
    'Usage: rehearse [scenario…] [options]',
    '       rehearse --all [options]',
    '       rehearse report <report.json…> [--out dir] [--junit f] [--summary-md f]',
    '       rehearse compare <baseline.json> <current.json>   (or: --baseline-dir <dir> <current.json…>)',
    '       rehearse cache ls | clear                         (the warm-start cache: $REHEARSE_CACHE_DIR, capped by $REHEARSE_CACHE_MAX_BYTES)',
    '       rehearse --schema <file|dir> --migrations <file|dir> [--rows N | --rows t=N,…] [--workload f.ts] [--config f.ts]',
    '',
    '  scenario                 a name in scenarios/ or a path to a scenario file (default: change-column-type)',
  ];
  for (const [section, title] of Object.entries(SECTIONS)) {
    lines.push('', `${title}:`);
    for (const [name, f] of Object.entries(FLAGS) as [string, Flag][]) {
      if (f.section !== section) continue;
      const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.arg ? ` ${f.arg}` : ''}`;
      lines.push(`  ${left.padEnd(30)} ${f.help}`);
    }
  }
  lines.push('', 'Exit codes: 0 run completed · 1 error · 2 bad input or a failed preflight check · 3 budget breached (with --fail-on-breach,', '            or an abortOnFail stop) · 4 a step failed · 5 compare found a regression · 130 interrupted (Ctrl-C)', '            · 143 SIGTERM · 129 SIGHUP');
  return lines.join('\n');
})();

export interface CliOptions {
  /** Flags given on the command line (names as typed, without --): they win over a config file. */
  explicit: Set<string>;
  /** `rehearse report …` and `rehearse compare …` are subcommands; anything else rehearses. */
  command: 'run' | 'report' | 'compare' | 'cache';
  /** The first scenario (see scenarios). */
  scenario: string;
  /** Every scenario named (`rehearse a b c`); empty with --all or none. */
  scenarios: string[];
  /** report/compare: the report.json files named. */
  files: string[];
  all: boolean;
  calibrate: boolean;
  /** --background sessions, beside every variant. */
  background: RunBackground[];
  harden: boolean;
  rehearseRollback: boolean;
  /** --budget flags, as declarations. */
  budgets: Record<string, BudgetValue>;
  junit?: string;
  summaryMd?: string;
  findings?: string;
  baselineDir?: string;
  tolerances: Partial<Record<CompareMetric, Partial<Tolerance>>>;
  schema?: string;
  migrations?: string;
  workload?: string;
  config?: string;
  lockTimeoutMs?: number;
  retries?: number;
  variants: string[];
  rows: RowsSpec;
  seed: number;
  pgPort?: number;
  /** The --postgres family as typed; validated into specs by resolveRunInput (parsePostgresSpecs). */
  postgres: PostgresFlags;
  /** --no-cache: seed afresh, do not use or fill the warm-start cache. */
  noCache: boolean;
  /** --scales: each size with the label the user wrote. */
  scales: { label: string; rows: RowsSpec }[];
  productionRows: Record<string, number>;
  load: 'open' | 'closed';
  rate?: number;
  connections: number;
  instances: number;
  poolSize: number;
  appStatementTimeoutMs: number | null;
  appLockTimeoutMs: number | null;
  timeoutMs: number;
  sampleIntervalMs: number;
  warmup: WarmupSetting;
  slowStartMs: number;
  maxStallMs?: number;
  maxErrorRate?: number;
  failOnBreach: boolean;
  out: string;
  list: boolean;
  help: boolean;
  version: boolean;
}

/** Integers are written "1000000", "1,000,000", "1_000_000" or "1e6"; anything else is a problem. */
const INTEGER = /^[+]?(\d{1,3}(,\d{3})+|\d+(_\d+)*|\d+(\.\d+)?e\d+)$/i;
/** Row counts may also be written with a k/m/b suffix: "300k", "1.5m", "2b". */
const SIZE = /^(\d+(?:\.\d+)?)([kmb])$/i;
const SUFFIX = { k: 1e3, m: 1e6, b: 1e9 } as const;

/** A number written as a flag value: "-5", "-0.5", "-1e3" (parseArgs would take it for a flag). */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Edit distance, for "did you mean --rows?". */
const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
};

const suggestion = (name: string): string => {
  const best = Object.keys(FLAGS).map((f) => [f, distance(name, f)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean --${best[0]}?)` : '';
};

/**
 * Checks the shape of argv before parseArgs sees it, so every problem gets our wording and all of
 * them are reported together: unknown flags, a flag missing its value (at the end, or followed by
 * another flag), a value given to a switch. A negative number is a value, not a flag: it is
 * passed on as --flag=-5 so the range check reports it.
 */
function prescan(argv: string[]): { args: string[]; unknown: string[]; problems: string[] } {
  const args: string[] = [];
  const unknown: string[] = [];
  const problems: string[] = [];
  const byShort = new Map(Object.entries(FLAGS as Record<string, Flag>).filter(([, f]) => f.short).map(([n, f]) => [f.short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (!tok.startsWith('-') || tok === '-' || NEGATIVE_NUMBER.test(tok)) {
      args.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    const raw = eq >= 0 ? tok.slice(0, eq) : tok;
    const name = raw.startsWith('--') ? raw.slice(2) : byShort.get(raw.slice(1)) ?? '';
    const flag = (FLAGS as Record<string, Flag>)[name];
    if (!flag || (!raw.startsWith('--') && raw.length !== 2)) {
      unknown.push(`${raw}${raw.startsWith('--') ? suggestion(raw.slice(2)) : ''}`);
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++; // its value, most likely
      continue;
    }
    if (flag.type === 'boolean') {
      if (eq >= 0) problems.push(`--${name} is a switch and takes no value, got "${tok}"`);
      else args.push(tok);
      continue;
    }
    if (eq >= 0) {
      args.push(tok);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined) problems.push(`--${name} is missing its value${flag.arg ? `, e.g. --${name} ${flag.arg}` : ''}`);
    else if (next.startsWith('-') && !NEGATIVE_NUMBER.test(next)) problems.push(`--${name} is missing its value: the next argument "${next}" is a flag (write --${name}=${next} if that is really the value)`);
    else {
      args.push(`--${name}=${next}`);
      i++;
    }
  }
  return { args, unknown, problems };
}

export function parseCli(argv: string[]): CliOptions {
  const scan = prescan(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: scan.args, options: FLAGS, allowPositionals: true, strict: true });
  } catch (cause) {
    // prescan leaves parseArgs nothing to object to; if it still does, keep its words.
    throw new RehearseError('REH_CLI_BAD_VALUE', (cause as Error).message, { cause });
  }
  const v = parsed.values;
  const problems: string[] = [...scan.problems];
  const int = (name: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (raw === undefined) return undefined;
    const sized = SIZE.exec(raw.trim());
    const n = sized ? Math.round(Number(sized[1]) * SUFFIX[sized[2]!.toLowerCase() as keyof typeof SUFFIX]) : INTEGER.test(raw.trim()) ? Number(raw.trim().replace(/[_,+]/g, '')) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`--${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return undefined;
    }
    return n;
  };
  const num = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      problems.push(`--${name} must be a number between ${min} and ${max}, got "${raw}"`);
      return undefined;
    }
    return n;
  };
  const load = v.load ?? 'open';
  if (load !== 'open' && load !== 'closed') problems.push(`--load must be "open" or "closed", got "${load}"`);
  const command = (['report', 'compare', 'cache'] as const).find((c) => parsed.positionals[0] === c) ?? 'run';
  const positionals = command === 'run' ? parsed.positionals : parsed.positionals.slice(1);
  const duration = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(raw.trim());
    if (!m) {
      problems.push(`--${name} must be a duration like 500ms, 2s or 1m, got "${raw}"`);
      return undefined;
    }
    return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm']);
  };
  // Lengths in seconds unless a unit says otherwise ("20", "20s", "500ms", "1m").
  const seconds = (name: string, raw: string | undefined, maxMs: number): number | undefined => {
    if (raw === undefined) return undefined;
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(raw.trim());
    const ms = m ? Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm']) : NaN;
    if (!Number.isFinite(ms) || ms > maxMs) {
      problems.push(`--${name} must be a length in seconds (e.g. 20, 20s, 500ms) up to ${maxMs / 1000} s, got "${raw}"`);
      return undefined;
    }
    return ms;
  };
  const warmup = (raw: string | undefined): WarmupSetting => {
    if (raw === undefined || raw.trim() === 'auto') return { mode: 'auto' };
    const ms = seconds('warmup', raw, 600_000);
    return ms === undefined ? { mode: 'auto' } : ms === 0 ? { mode: 'off' } : { mode: 'fixed', ms };
  };
  const explicit = new Set(Object.keys(v));
  if (command === 'run' && positionals.length) explicit.add('scenario');
  const budgets: Record<string, BudgetValue> = {};
  for (const text of v.budget ?? []) {
    const b = parseBudgetFlag(text);
    if ('problem' in b) problems.push(b.problem);
    else budgets[b.key] = b.value;
  }
  const background: RunBackground[] = [];
  for (const text of v.background ?? []) {
    const b = parseBackgroundFlag(text);
    if ('problem' in b) problems.push(b.problem);
    else background.push(b);
  }
  const tolerances: CliOptions['tolerances'] = {};
  for (const text of v.tolerance ?? []) {
    const t = parseTolerance(text);
    if ('problem' in t) problems.push(t.problem);
    else tolerances[t.metric] = { ...tolerances[t.metric], ...t.tolerance };
  }
  if (command === 'cache' && !(positionals.length === 1 && (positionals[0] === 'ls' || positionals[0] === 'clear'))) problems.push(`rehearse cache takes ls or clear, got ${positionals.join(' ') || 'nothing'}`);
  if (command === 'report' && positionals.length === 0) problems.push('rehearse report needs a report.json, e.g. rehearse report reports/latest/report.json');
  if (command === 'compare' && !v['baseline-dir'] && positionals.length !== 2) problems.push(`rehearse compare needs <baseline.json> <current.json>, or --baseline-dir <dir> <current.json>; got ${positionals.length} file(s)`);
  if (command === 'compare' && v['baseline-dir'] && positionals.length === 0) problems.push('rehearse compare --baseline-dir <dir> needs the current report.json(s) to compare');
  if (command !== 'compare' && (v['baseline-dir'] !== undefined || v.tolerance !== undefined)) problems.push('--baseline-dir and --tolerance belong to rehearse compare');
  if (v.all && positionals.length && command === 'run') problems.push(`--all rehearses every scenario; do not name scenarios too (got ${positionals.join(' ')})`);
  const opts: CliOptions = {
    explicit,
    command,
    scenarios: command === 'run' ? positionals : [],
    files: command === 'run' ? [] : positionals,
    all: v.all ?? false,
    calibrate: v.calibrate ?? false,
    background: uniqueNames(background),
    harden: v.harden ?? false,
    rehearseRollback: v['rehearse-rollback'] ?? false,
    budgets,
    junit: v.junit,
    summaryMd: v['summary-md'],
    findings: v.findings,
    baselineDir: v['baseline-dir'],
    tolerances,
    scenario: (command === 'run' ? positionals[0] : undefined) ?? 'change-column-type',
    schema: v.schema,
    migrations: v.migrations,
    workload: v.workload,
    config: v.config,
    lockTimeoutMs: duration('lock-timeout', v['lock-timeout']),
    retries: int('retries', v.retries, 0, 1000),
    variants: v.variant ?? [],
    rows: parseRows(v.rows, problems),
    scales: [],
    productionRows: v['production-rows'] === undefined ? {} : parseRows(v['production-rows'], problems, 'production-rows').tables,
    seed: int('seed', v.seed, 0, 2 ** 32 - 1) ?? 1,
    pgPort: int('pg-port', v['pg-port'], 1, 65_535),
    postgres: {
      postgres: v.postgres, pg: v.pg, pgImage: v['pg-image'], pgCpus: v['pg-cpus'], pgMemory: v['pg-memory'],
      pgSetting: v['pg-setting'], pgUrl: v['pg-url'], disposable: v.disposable, allowForeignSessions: v['allow-foreign-sessions'],
    },
    noCache: v['no-cache'] ?? false,
    load: load as 'open' | 'closed',
    rate: int('rate', v.rate, 1, 1_000_000),
    connections: int('connections', v.connections, 1, 10_000) ?? 32,
    instances: int('instances', v.instances, 1, 64) ?? 2,
    poolSize: int('pool-size', v['pool-size'], 1, 1000) ?? 10,
    appStatementTimeoutMs: int('app-statement-timeout-ms', v['app-statement-timeout-ms'], 1) ?? null,
    appLockTimeoutMs: int('app-lock-timeout-ms', v['app-lock-timeout-ms'], 1) ?? null,
    timeoutMs: int('timeout-ms', v['timeout-ms'], 1) ?? 30_000,
    sampleIntervalMs: int('sample-interval-ms', v['sample-interval-ms'], 10, 60_000) ?? 100,
    warmup: warmup(v.warmup),
    slowStartMs: seconds('slow-start', v['slow-start'], 600_000) ?? 0,
    maxStallMs: int('max-stall-ms', v['max-stall-ms'], 1),
    maxErrorRate: num('max-error-rate', v['max-error-rate'], 0, 1),
    failOnBreach: v['fail-on-breach'] ?? false,
    out: v.out ?? 'reports',
    list: v.list ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
  if (v.scales !== undefined) {
    const sizes = v.scales.split(/,(?!\d{3}(?:,|$))/).map((x) => x.trim()).filter(Boolean);
    for (const label of sizes) {
      const n = int('scales', label, 1, 2_000_000_000);
      if (n !== undefined) opts.scales.push({ label, rows: { default: n, tables: opts.rows.tables } });
    }
    if (sizes.length < 2) problems.push(`--scales needs at least two sizes to fit a cost against rows, got "${v.scales}"`);
  }
  if ((opts.schema === undefined) !== (opts.migrations === undefined) && !opts.config) problems.push('--schema and --migrations go together: the baseline to seed, and the migrations to rehearse on it');
  if (opts.schema !== undefined && explicit.has('scenario')) problems.push(`give a scenario or --schema/--migrations, not both (got scenario "${opts.scenario}")`);
  if (Object.keys(opts.productionRows).length && !opts.scales.length) problems.push('--production-rows is the target of a --scales projection; add --scales, e.g. --scales 100k,300k,1m');
  const errors = [
    ...(scan.unknown.length ? [new RehearseError('REH_CLI_UNKNOWN_FLAG', `unknown flag${scan.unknown.length > 1 ? 's' : ''} ${scan.unknown.join(', ')}`)] : []),
    ...(problems.length ? [new RehearseError('REH_CLI_BAD_VALUE', problems.join('; '))] : []),
  ];
  const all = RehearseError.all(errors);
  if (all) throw all;
  return opts;

  function parseRows(raw: string | undefined, out: string[], flag = 'rows'): RowsSpec {
    if (raw === undefined) return { tables: {} };
    if (!raw.includes('=')) return { default: int(flag, raw, 1, 2_000_000_000), tables: {} };
    const tables: Record<string, number> = {};
    for (const part of raw.split(/,(?=[^,=]+=)/)) {
      const m = /^\s*([^=\s]+)\s*=\s*(.+)$/.exec(part);
      const n = m ? int(`${flag} ${m[1]}`, m[2], 0, 1e12) : undefined;
      if (!m) out.push(`--${flag} must be a number or table=N pairs separated by commas, got "${part}"`);
      else if (n !== undefined) tables[m[1]!] = n;
    }
    return { tables };
  }
}
