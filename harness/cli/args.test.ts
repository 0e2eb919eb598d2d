import { describe, expect, it } from 'vitest';
import { FLAGS, HELP, parseCli } from './args.ts';

const errorOf = (argv: string[]): { code: string; message: string } => {
  try {
    parseCli(argv);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

describe('parseCli', () => {
  it('should default to the change-column-type scenario at 1M rows, open model, 2 instances', () => {
    const o = parseCli([]);
    expect(o).toMatchObject({ scenario: 'change-column-type', rows: { tables: {} }, load: 'open', instances: 2, poolSize: 10, appLockTimeoutMs: null, variants: [], failOnBreach: false });
  });

  it('should accept readable numbers and repeated variants', () => {
    const o = parseCli(['x', '--rows', '10,000,000', '--variant', 'naive', '--variant', 'expand-contract', '--rate', '500']);
    expect(o.rows).toEqual({ default: 10_000_000, tables: {} });
    expect(o.variants).toEqual(['naive', 'expand-contract']);
    expect(o.rate).toBe(500);
  });

  it('should read --rows as exact counts per table, numbers with thousands separators included', () => {
    expect(parseCli(['--rows', 'users=1,000,000,orders=20_000_000,"Booking"=5']).rows).toEqual({ tables: { users: 1_000_000, orders: 20_000_000, '"Booking"': 5 } });
    expect(codeOf(() => parseCli(['--rows', 'users=lots']))).toBe('REH_CLI_BAD_VALUE');
    expect(codeOf(() => parseCli(['--rows', '0']))).toBe('REH_CLI_BAD_VALUE');
  });

  it('should read --scales and --production-rows with k/m/b sizes, keeping the labels users wrote', () => {
    const o = parseCli(['--scales', '100k,300k,1m', '--production-rows', 'Booking=250m,users=1.5b']);
    expect(o.scales.map((s) => [s.label, s.rows.default])).toEqual([['100k', 100_000], ['300k', 300_000], ['1m', 1_000_000]]);
    expect(o.productionRows).toEqual({ Booking: 250_000_000, users: 1_500_000_000 });
    expect(codeOf(() => parseCli(['--scales', '100k']))).toBe('REH_CLI_BAD_VALUE');
    expect(codeOf(() => parseCli(['--production-rows', 'users=1m']))).toBe('REH_CLI_BAD_VALUE');
  });

  it('should reject an unknown flag with REH_CLI_UNKNOWN_FLAG', () => {
    expect(codeOf(() => parseCli(['--rowz', '5']))).toBe('REH_CLI_UNKNOWN_FLAG');
  });

  it('should reject a non-numeric --rows with REH_CLI_BAD_VALUE and report every problem', () => {
    try {
      parseCli(['--rows', 'lots', '--load', 'sideways']);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('REH_CLI_BAD_VALUE');
      expect((e as Error).message).toContain('--rows');
      expect((e as Error).message).toContain('--load');
    }
  });

  it('should default every option when no flag is given', () => {
    expect(parseCli([])).toMatchObject({
      command: 'run', scenarios: [], files: [], all: false, calibrate: false, budgets: {}, tolerances: {},
      explicit: new Set(), schema: undefined, migrations: undefined, workload: undefined, config: undefined, lockTimeoutMs: undefined, retries: undefined,
      scales: [], productionRows: {},
      scenario: 'change-column-type', variants: [], rows: { tables: {} }, seed: 1, load: 'open', rate: undefined, connections: 32, instances: 2,
      poolSize: 10, appStatementTimeoutMs: null, appLockTimeoutMs: null, timeoutMs: 30_000, sampleIntervalMs: 100, maxStallMs: undefined,
      maxErrorRate: undefined, failOnBreach: false, out: 'reports', list: false, help: false, version: false,
    });
  });

  it('should read every flag into its option', () => {
    const o = parseCli([
      'my.ts', '--seed', '42', '--load', 'closed', '--connections', '8', '--timeout-ms', '5000', '--sample-interval-ms', '50', '--instances', '3',
      '--pool-size', '20', '--app-statement-timeout-ms', '2000', '--app-lock-timeout-ms', '500', '--max-stall-ms', '250', '--max-error-rate', '0.01',
      '--fail-on-breach', '--out', 'out/dir', '--list', '--help', '--version',
    ]);
    expect(o).toMatchObject({
      scenario: 'my.ts', variants: [], rows: { tables: {} }, seed: 42, load: 'closed', rate: undefined, connections: 8, instances: 3, poolSize: 20,
      appStatementTimeoutMs: 2000, appLockTimeoutMs: 500, timeoutMs: 5000, sampleIntervalMs: 50, maxStallMs: 250, maxErrorRate: 0.01,
      failOnBreach: true, out: 'out/dir', list: true, help: true, version: true,
    });
    expect(parseCli(['-h']).help).toBe(true);
    // Every flag given, and the scenario, are remembered as explicit (they win over a config file).
    expect([...o.explicit].sort()).toEqual([
      'app-lock-timeout-ms', 'app-statement-timeout-ms', 'connections', 'fail-on-breach', 'help', 'instances', 'list', 'load', 'max-error-rate', 'max-stall-ms',
      'out', 'pool-size', 'sample-interval-ms', 'scenario', 'seed', 'timeout-ms', 'version',
    ]);
  });

  it('should read the flags for your own migration', () => {
    const o = parseCli(['--schema', 's.sql', '--migrations', 'm/', '--workload', 'w.ts', '--config', 'c.ts', '--lock-timeout', '2s', '--retries', '3']);
    expect(o).toMatchObject({ schema: 's.sql', migrations: 'm/', workload: 'w.ts', config: 'c.ts', lockTimeoutMs: 2000, retries: 3 });
    expect(o.explicit.has('scenario')).toBe(false);
    const ms = (raw: string) => parseCli(['--lock-timeout', raw]).lockTimeoutMs;
    expect([ms('500ms'), ms('500'), ms('1.5s'), ms('1m'), ms(' 2 s ')]).toEqual([500, 500, 1500, 60_000, 2000]);
    expect(errorOf(['--lock-timeout', '2h']).message).toBe('--lock-timeout must be a duration like 500ms, 2s or 1m, got "2h"');
    expect(errorOf(['--retries', '1001']).message).toContain('--retries must be an integer between 0 and 1000');
    expect(parseCli(['--retries', '0']).retries).toBe(0);
    expect(errorOf(['--schema', 's.sql']).message).toBe('--schema and --migrations go together: the baseline to seed, and the migrations to rehearse on it');
    expect(errorOf(['--migrations', 'm/']).message).toContain('go together');
    expect(parseCli(['--migrations', 'm/', '--config', 'c.ts']).migrations).toBe('m/');
    expect(errorOf(['x', '--schema', 's', '--migrations', 'm']).message).toBe('give a scenario or --schema/--migrations, not both (got scenario "x")');
  });

  it('should read sizes with k, m and b suffixes', () => {
    const rows = (raw: string) => parseCli(['--rows', raw]).rows.default;
    expect([rows('300k'), rows('1.5m'), rows('2B'), rows('1K')]).toEqual([300_000, 1_500_000, 2_000_000_000, 1000]);
    expect(errorOf(['--rows', '3b']).message).toContain('--rows must be an integer between 1 and 2000000000');
    expect(errorOf(['--rows', 'k']).message).toContain('got "k"');
    expect(errorOf(['--rows', '5x']).message).toContain('got "5x"');
  });

  it('should need two sizes at least for --scales, and --scales for --production-rows', () => {
    expect(parseCli(['--scales', '1,000,2,000']).scales.map((s) => s.rows.default)).toEqual([1000, 2000]);
    expect(parseCli(['--scales', '10k, 20k', '--rows', 'users=5']).scales).toEqual([
      { label: '10k', rows: { default: 10_000, tables: { users: 5 } } },
      { label: '20k', rows: { default: 20_000, tables: { users: 5 } } },
    ]);
    expect(errorOf(['--scales', '10k']).message).toBe('--scales needs at least two sizes to fit a cost against rows, got "10k"');
    expect(errorOf(['--scales', '10k,0']).message).toContain('--scales must be an integer between 1');
    expect(errorOf(['--production-rows', 'users=1m']).message).toBe('--production-rows is the target of a --scales projection; add --scales, e.g. --scales 100k,300k,1m');
    expect(parseCli(['--scales', '1k,2k', '--production-rows', 'users=250m']).productionRows).toEqual({ users: 250_000_000 });
    expect(errorOf(['--scales', '1k,2k', '--production-rows', 'users']).message).toContain('--production-rows must be an integer between 1');
    expect(errorOf(['--scales', '1k,2k', '--production-rows', 'users=1,x']).message).toContain('--production-rows users must be an integer');
  });

  it('should read integers written with separators, underscores, a plus sign or an exponent', () => {
    const rows = (raw: string) => parseCli(['--rows', raw]).rows.default;
    expect(rows('1000000')).toBe(1_000_000);
    expect(rows('1,000,000')).toBe(1_000_000);
    expect(rows('1_000_000')).toBe(1_000_000);
    expect(rows('+5')).toBe(5);
    expect(rows('1e6')).toBe(1_000_000);
    expect(rows('2.5e3')).toBe(2500);
    expect(rows(' 12 ')).toBe(12);
    expect(rows('1,000')).toBe(1000);
  });

  it('should refuse integers in any other form', () => {
    for (const raw of ['1.5', '1,00', '10,0000', '1__0', '_1', '1e', 'e6', '-5', '1e-3', '0x10', '12abc', '']) {
      expect(errorOf(['--rows', raw]), raw).toMatchObject({ code: 'REH_CLI_BAD_VALUE' });
    }
  });

  it('should hold each integer flag to its range, both ends included', () => {
    const ok = (flag: string, v: string) => expect(() => parseCli([flag, v]), `${flag} ${v}`).not.toThrow();
    const bad = (flag: string, v: string) => expect(errorOf([flag, v]).message, `${flag} ${v}`).toContain(`${flag} must be an integer between`);
    ok('--seed', '0'); ok('--seed', String(2 ** 32 - 1)); bad('--seed', String(2 ** 32));
    ok('--rate', '1'); ok('--rate', '1000000'); bad('--rate', '0'); bad('--rate', '1000001');
    ok('--connections', '1'); ok('--connections', '10000'); bad('--connections', '0'); bad('--connections', '10001');
    ok('--instances', '1'); ok('--instances', '64'); bad('--instances', '0'); bad('--instances', '65');
    ok('--pool-size', '1'); ok('--pool-size', '1000'); bad('--pool-size', '0'); bad('--pool-size', '1001');
    ok('--sample-interval-ms', '10'); ok('--sample-interval-ms', '60000'); bad('--sample-interval-ms', '9'); bad('--sample-interval-ms', '60001');
    ok('--timeout-ms', '1'); bad('--timeout-ms', '0');
    ok('--max-stall-ms', '1'); bad('--max-stall-ms', '0');
    ok('--app-statement-timeout-ms', '1'); bad('--app-statement-timeout-ms', '0');
    ok('--app-lock-timeout-ms', '1'); bad('--app-lock-timeout-ms', '0');
    ok('--rows', '2000000000'); bad('--rows', '2000000001');
    ok('--timeout-ms', String(Number.MAX_SAFE_INTEGER)); bad('--timeout-ms', '1e20');
    expect(errorOf(['--rate', '0']).message).toBe('--rate must be an integer between 1 and 1000000, got "0"');
  });

  it('should read --max-error-rate as a fraction from 0 to 1', () => {
    const rate = (raw: string) => parseCli(['--max-error-rate', raw]).maxErrorRate;
    expect(rate('0')).toBe(0);
    expect(rate('1')).toBe(1);
    expect(rate('0.001')).toBe(0.001);
    expect(rate('.5')).toBe(0.5);
    expect(rate('1e-3')).toBe(0.001);
    expect(rate('+0.2')).toBe(0.2);
    expect(rate('1.')).toBe(1);
    for (const raw of ['1.01', '-0.1', 'abc', '1%', '0x1', 'NaN', '', 'Infinity', '1e1']) {
      expect(errorOf([`--max-error-rate=${raw}`]).message, raw).toBe(`--max-error-rate must be a number between 0 and 1, got "${raw}"`);
    }
  });

  it('should read --rows per table, with zero allowed for a table and refused for the whole run', () => {
    expect(parseCli(['--rows', 'users=0, orders = 7']).rows).toEqual({ tables: { users: 0, orders: 7 } });
    expect(parseCli(['--rows', 'a=1e3']).rows).toEqual({ tables: { a: 1000 } });
    expect(errorOf(['--rows', 'users=']).message).toContain('--rows must be a number or table=N pairs');
    expect(errorOf(['--rows', 'users=5,=3']).message).toContain('--rows users must be an integer between 0 and 1000000000000, got "5,=3"');
    expect(errorOf(['--rows', 'users=5,orders']).message).toContain('got "5,orders"');
    expect(errorOf(['--rows', 'users=-1']).message).toContain('--rows users must be an integer between 0 and 1000000000000, got "-1"');
    expect(parseCli(['--rows', 'users=1000000000000']).rows).toEqual({ tables: { users: 1e12 } });
    expect(errorOf(['--rows', 'users=1000000000001']).message).toContain('--rows users must be an integer between 0 and 1000000000000');
  });

  it('should take only open or closed load', () => {
    expect(errorOf(['--load', 'sideways']).message).toBe('--load must be "open" or "closed", got "sideways"');
    expect(parseCli(['--load', 'open']).load).toBe('open');
  });

  it('should report every problem at once, separated by semicolons', () => {
    const e = errorOf(['--rate', '0', '--instances', '0', '--max-error-rate', '2']);
    expect(e.code).toBe('REH_CLI_BAD_VALUE');
    expect(e.message.split('; ')).toHaveLength(3);
  });

  it('should name an unknown flag without the rest of node\'s message, and report a flag missing its value', () => {
    const e = errorOf(['--rowz', '5']);
    expect(e).toMatchObject({ code: 'REH_CLI_UNKNOWN_FLAG' });
    expect(e.message).toContain('--rowz');
    expect(e.message).not.toContain('.');
    expect(errorOf(['--rows'])).toMatchObject({ code: 'REH_CLI_BAD_VALUE' });
  });

  it('should read --warmup as auto, a length in seconds (or with a unit), or 0 for off', () => {
    expect(parseCli([]).warmup).toEqual({ mode: 'auto' });
    expect(parseCli(['--warmup', 'auto']).warmup).toEqual({ mode: 'auto' });
    expect(parseCli(['--warmup', '20']).warmup).toEqual({ mode: 'fixed', ms: 20_000 });
    expect(parseCli(['--warmup', '1.5s']).warmup).toEqual({ mode: 'fixed', ms: 1500 });
    expect(parseCli(['--warmup', '500ms']).warmup).toEqual({ mode: 'fixed', ms: 500 });
    expect(parseCli(['--warmup', '0']).warmup).toEqual({ mode: 'off' });
    expect(codeOf(() => parseCli(['--warmup', 'soon']))).toBe('REH_CLI_BAD_VALUE');
    expect(codeOf(() => parseCli(['--warmup', '-3']))).toBe('REH_CLI_BAD_VALUE');
  });

  it('should read rehearse cache ls and clear, and refuse anything else', () => {
    expect(parseCli(['cache', 'ls'])).toMatchObject({ command: 'cache', files: ['ls'] });
    expect(parseCli(['cache', 'clear'])).toMatchObject({ command: 'cache', files: ['clear'] });
    expect(codeOf(() => parseCli(['cache']))).toBe('REH_CLI_BAD_VALUE');
    expect(codeOf(() => parseCli(['cache', 'purge']))).toBe('REH_CLI_BAD_VALUE');
  });

  it('should read --slow-start as seconds, off by default', () => {
    expect(parseCli([]).slowStartMs).toBe(0);
    expect(parseCli(['--slow-start', '30']).slowStartMs).toBe(30_000);
    expect(parseCli(['--slow-start', '2m']).slowStartMs).toBe(120_000);
    expect(codeOf(() => parseCli(['--slow-start', '11m']))).toBe('REH_CLI_BAD_VALUE');
  });
});

describe('HELP', () => {
  it('should list every flag with its placeholder under its section, and the exit codes', () => {
    for (const [name, f] of Object.entries(FLAGS)) {
      expect(HELP).toContain(`--${name}${'arg' in f ? ` ${f.arg}` : ''}`);
      expect(HELP).toContain(f.help);
    }
    expect(HELP).toContain('-h, --help');
    expect(HELP.indexOf('What to rehearse:')).toBeLessThan(HELP.indexOf('--rows <'));
    expect(HELP.indexOf('Budgets:')).toBeLessThan(HELP.indexOf('--max-stall-ms <'));
    expect(HELP.indexOf('--max-stall-ms <')).toBeLessThan(HELP.indexOf('Output:'));
    expect(HELP.indexOf('Your own migration (instead of a scenario):')).toBeLessThan(HELP.indexOf('\n  --schema <'));
    expect(HELP).toMatch(/^ {2}--rows <n \| t=n,…> {13}rows to seed/m);
    expect(HELP).toContain('3 budget breached');
    expect(HELP.startsWith('rehearse — rehearse a PostgreSQL schema migration')).toBe(true);
  });
});
