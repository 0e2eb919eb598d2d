// CLI flags: parsed strictly, every problem collected and reported together with a code.
import { parseArgs } from 'node:util';
import { RehearseError } from '../errors.ts';

export const HELP = `rehearse — rehearse a PostgreSQL schema migration under production-like load

Usage: rehearse [scenario] [options]

  scenario                 a name in scenarios/ or a path to a scenario file (default: change-column-type)

Options:
  --variant <name>         variant to run; repeat for several (default: every variant of the scenario)
  --rows <n>               users to seed (default: 1000000); orders are ~3 per user
  --seed <n>               dataset and load seed (default: 1)
  --load <open|closed>     open model: fixed arrival rate, latency from scheduled start (default)
                           closed model: autocannon connections, each waits for its response
  --rate <n>               open-model arrivals per second (default: 40 % of the probed capacity)
  --connections <n>        closed-model connections (default: 32)
  --instances <n>          sample-app instances behind the balancer (default: 2)
  --timeout-ms <n>         per-request timeout (default: 30000)
  --sample-interval-ms <n> lock sampler interval (default: 100)
  --max-stall-ms <n>       budget: longest stall (default: 1000)
  --max-error-rate <x>     budget: error rate, 0..1 (default: 0.001)
  --fail-on-breach         exit with code 3 when a variant breaches its budget
  --out <dir>              where reports go (default: reports)
  --list                   list scenarios and their variants
  -h, --help               this help
  --version                print the version

Exit codes: 0 run completed · 1 error · 2 bad input · 3 budget breached (with --fail-on-breach)
            · 4 a step failed · 130 interrupted`;

export interface CliOptions {
  scenario: string;
  variants: string[];
  rows: number;
  seed: number;
  load: 'open' | 'closed';
  rate?: number;
  connections: number;
  instances: number;
  timeoutMs: number;
  sampleIntervalMs: number;
  maxStallMs?: number;
  maxErrorRate?: number;
  failOnBreach: boolean;
  out: string;
  list: boolean;
  help: boolean;
  version: boolean;
}

const OPTIONS = {
  variant: { type: 'string', multiple: true },
  rows: { type: 'string' },
  seed: { type: 'string' },
  load: { type: 'string' },
  rate: { type: 'string' },
  connections: { type: 'string' },
  instances: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'sample-interval-ms': { type: 'string' },
  'max-stall-ms': { type: 'string' },
  'max-error-rate': { type: 'string' },
  'fail-on-breach': { type: 'boolean' },
  out: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new RehearseError('REH_CLI_UNKNOWN_FLAG', (cause as Error).message.split('.')[0]!, { cause });
    }
    throw new RehearseError('REH_CLI_BAD_VALUE', (cause as Error).message, { cause });
  }
  const v = parsed.values;
  const problems: string[] = [];
  // "1e6", "1_000_000" and "1,000,000" are accepted; anything else is reported, never guessed.
  const int = (name: string, raw: string | undefined, def: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (raw === undefined) return def;
    const n = Number(raw.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`--${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return def;
    }
    return n;
  };
  const num = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) problems.push(`--${name} must be a number between ${min} and ${max}, got "${raw}"`);
    return n;
  };
  const load = v.load ?? 'open';
  if (load !== 'open' && load !== 'closed') problems.push(`--load must be "open" or "closed", got "${load}"`);
  if (parsed.positionals.length > 1) problems.push(`expected at most one scenario, got ${parsed.positionals.join(' ')}`);
  const opts: CliOptions = {
    scenario: parsed.positionals[0] ?? 'change-column-type',
    variants: v.variant ?? [],
    rows: int('rows', v.rows, 1_000_000, 1, 2_000_000_000)!,
    seed: int('seed', v.seed, 1, 0, 2 ** 31 - 1)!,
    load: load as 'open' | 'closed',
    rate: int('rate', v.rate, undefined, 1, 1_000_000),
    connections: int('connections', v.connections, 32, 1, 10_000)!,
    instances: int('instances', v.instances, 2, 1, 64)!,
    timeoutMs: int('timeout-ms', v['timeout-ms'], 30_000, 1)!,
    sampleIntervalMs: int('sample-interval-ms', v['sample-interval-ms'], 100, 10, 60_000)!,
    maxStallMs: int('max-stall-ms', v['max-stall-ms'], undefined, 1),
    maxErrorRate: num('max-error-rate', v['max-error-rate'], 0, 1),
    failOnBreach: v['fail-on-breach'] ?? false,
    out: v.out ?? 'reports',
    list: v.list ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
  if (problems.length) throw new RehearseError('REH_CLI_BAD_VALUE', problems.join('; '));
  return opts;
}
