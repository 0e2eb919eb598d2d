import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';

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

  it('should read --slow-start as seconds, off by default', () => {
    expect(parseCli([]).slowStartMs).toBe(0);
    expect(parseCli(['--slow-start', '30']).slowStartMs).toBe(30_000);
    expect(parseCli(['--slow-start', '2m']).slowStartMs).toBe(120_000);
    expect(codeOf(() => parseCli(['--slow-start', '11m']))).toBe('REH_CLI_BAD_VALUE');
  });
});
