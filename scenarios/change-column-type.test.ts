// The first scenario end to end at 200k rows: the naive ALTER rewrites the table under ACCESS
// EXCLUSIVE and stalls the app for as long as it holds the lock; expand/contract keeps every
// stall under a second with zero errors; varchar(255) → text rewrites nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

const ALTER = 'ALTER TABLE users ALTER COLUMN balance TYPE bigint';
// Rewriting 200k rows and their indexes holds ACCESS EXCLUSIVE for ≈0.4 s here: a 200 ms stall
// budget is one the naive plan must breach on any machine, and a catalog-only plan need not.
const MAX_STALL_MS = 200;
let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;

// Two variants, each with an auto warm-up (up to 30 s on a busy machine) before its steps.
beforeAll(async () => {
  ({ report } = await rehearseForTest('change-column-type', { rows: 200_000, rate: 300, budgets: { maxStallMs: MAX_STALL_MS }, warmup: { mode: 'auto' } }));
}, 240_000);

describe('change-column-type at 200k rows', () => {
  it('should rehearse both variants on the same seeded data', () => {
    expect(report.variants.map((v) => v.variant)).toEqual(['naive', 'expand-contract', 'varchar-to-text']);
    expect(variant('naive').dataset).toEqual(variant('expand-contract').dataset);
  });

  it('should show the naive ALTER rewriting users and its indexes under ACCESS EXCLUSIVE', () => {
    const alter = variant('naive').steps.find((s) => s.name === 'alter-type')!.statements[0]!;
    expect(alter.sql).toBe(ALTER);
    expect(alter.rewrote).toBe(true);
    expect(alter.rewrittenRelations).toEqual(['users', 'users_email_key', 'users_pkey']);
    expect(alter.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
  });

  it('should breach the stall budget with the naive variant, with the stall as long as the lock was held', () => {
    const naive = variant('naive');
    const alter = naive.steps.find((s) => s.name === 'alter-type')!.statements[0]!;
    // Nothing blocked the ALTER, so it held ACCESS EXCLUSIVE from its start to its end.
    expect(alter.lockWaitMs).toBeLessThan(50);
    const holdMs = alter.durationMs - alter.lockWaitMs;
    expect(holdMs).toBeGreaterThan(MAX_STALL_MS);

    expect(naive.summary.verdict).toBe('fail');
    expect(naive.summary.completed).toBe(true);
    expect(naive.summary.budgets.find((b) => b.name === 'maxStallMs')).toMatchObject({ ok: false, limit: MAX_STALL_MS, actual: naive.summary.longestStallMs });

    const stall = naive.summary.longestStall!;
    expect(stall).toMatchObject({ step: 'alter-type', statement: ALTER });
    // The stall is the hold: it starts when the ALTER took the lock and ends just after it committed.
    expect(stall.startMs).toBeGreaterThanOrEqual(alter.startMs - 50);
    expect(stall.startMs).toBeLessThanOrEqual(alter.startMs + 100);
    expect(stall.endMs).toBeGreaterThanOrEqual(alter.endMs);
    expect(stall.endMs).toBeLessThanOrEqual(alter.endMs + 300);
    expect(stall.durationMs).toBeGreaterThanOrEqual(holdMs - 100);
    expect(stall.durationMs).toBeLessThanOrEqual(holdMs + 300);
    expect(naive.summary.maxLatencyMs).toBeGreaterThanOrEqual(holdMs - 100);
    expect(naive.summary.maxLatencyMs).toBeLessThanOrEqual(holdMs + 400);
  });

  it('should show the app backends queued behind the naive ALTER, blocked by the migration session', () => {
    const naive = variant('naive');
    const waits = naive.lockWaits.filter((w) => w.relation === 'users' && w.application.startsWith('rehearse-app/'));
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) {
      expect(w.step).toBe('alter-type');
      expect(w.statement).toBe(ALTER);
      expect(w.blockers).toContain(naive.migrationPid);
    }
  });

  it('should keep the expand/contract variant free of stalls over 1 s, of errors and of rewrites', () => {
    const safe = variant('expand-contract');
    expect(safe.summary.completed).toBe(true);
    expect(safe.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(safe.summary.longestStallMs).toBeLessThan(1000);
    expect(safe.summary.errorRate).toBe(0);
    expect(safe.summary.errorsBySqlstate).toEqual({});
    expect(safe.steps.flatMap((s) => s.statements).some((s) => s.rewrote)).toBe(false);
    const backfill = safe.steps.find((s) => s.kind === 'backfill')!;
    // Every seeded row, plus the users the app created before the backfill reached the end.
    expect(backfill.details?.rowsScanned).toBeGreaterThanOrEqual(200_000);
    expect(backfill.details?.rowsScanned).toBeLessThanOrEqual(200_000 + safe.summary.requests);
    expect(safe.steps.find((s) => s.kind === 'verify')!.details?.discrepancies).toBe(0);
  });

  it('should warm up each variant before its first step and report its steady state and CPU', () => {
    for (const v of report.variants) {
      expect(v.warmup!.mode).toBe('auto');
      expect(v.warmup!.durationMs).toBeGreaterThanOrEqual(3000); // at least one window of 3 s
      expect(v.steps[0]!.startMs).toBeGreaterThanOrEqual(v.warmup!.endMs);
      expect(v.steadyState!.requestsPerSec).toBeGreaterThan(0);
      // The summary counts what the steps count (warm-up excluded), give or take arrivals between steps.
      const inSteps = v.steps.reduce((a, s) => a + (s.traffic?.requests ?? 0), 0);
      expect(v.summary.requests).toBeGreaterThanOrEqual(inSteps);
      expect(v.summary.requests).toBeLessThan(inSteps + 300);
      expect(v.cpu!.components.map((c) => c.kind)).toEqual(expect.arrayContaining(['harness', 'postgres', 'app']));
    }
  });

  it('should change varchar(255) to text without rewriting users or its unique index, and without reading a row', () => {
    const st = variant('varchar-to-text').steps.find((s) => s.name === 'alter-type')!.statements[0]!;
    expect(st.status).toBe('ok');
    expect(st.rewrote).toBe(false);
    expect(st.rewrittenRelations).toEqual([]);
    expect(st.scannedRows).toEqual({});
    expect(st.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'users' }));
  });
});
