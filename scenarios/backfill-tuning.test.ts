// backfill-tuning at 10k users: the same backfill at three batch sizes; each reports its batches,
// its own WAL (and the cluster's meanwhile), and the app's latency while it ran.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, StepResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const backfill = (variant: string): StepResult => report.variants.find((v) => v.variant === variant)!.steps.find((s) => s.name === 'backfill')!;

beforeAll(async () => {
  ({ report } = await rehearseForTest('backfill-tuning', { rows: 10_000, rate: 60, instances: 1 }));
});

describe('backfill-tuning at 10k users', () => {
  it('should fill every row in as many batches as the batch size makes', () => {
    for (const [variant, batchSize, delayMs] of [['batch-1k-delay-20ms', 1000, 20], ['batch-10k-delay-20ms', 10_000, 20], ['batch-50k-no-delay', 50_000, 0]] as const) {
      const d = backfill(variant).details as Record<string, number>;
      expect(d).toMatchObject({ batchSize, delayMs });
      // The app creates users meanwhile: the seeded 10k and those it had created before each batch.
      expect(d.rowsScanned).toBeGreaterThanOrEqual(10_000);
      // Rows the app wrote since the trigger exists are already right and are skipped.
      expect(d.rowsUpdated).toBeGreaterThan(9_000);
      expect(d.rowsUpdated).toBeLessThanOrEqual(d.rowsScanned);
      // The seeded rows take ceil(10k / batch) full batches; users created meanwhile may add a few small ones.
      expect(d.batches).toBeGreaterThanOrEqual(Math.ceil(10_000 / batchSize));
      expect(d.rowsScanned / d.batches).toBeLessThanOrEqual(batchSize);
    }
  });

  it('should measure the backfill\'s own WAL, within the WAL the whole cluster wrote meanwhile', () => {
    for (const v of report.variants) {
      const d = backfill(v.variant).details as Record<string, number>;
      // An update of 10k rows writes at least a record per row.
      expect(d.walRecords).toBeGreaterThanOrEqual(10_000);
      expect(d.walBytes).toBeGreaterThan(10_000 * 50);
      expect(d.clusterWalBytes).toBeGreaterThanOrEqual(d.walBytes);
      expect(backfill(v.variant).traffic?.p99Ms).not.toBeNull();
    }
  });

  it('should wait between small batches, so they take longer than one big one', () => {
    expect(backfill('batch-1k-delay-20ms').durationMs).toBeGreaterThan(9 * 20);
    for (const v of report.variants) expect(v.steps.find((s) => s.name === 'verify')!.details?.discrepancies).toBe(0);
  });
});
