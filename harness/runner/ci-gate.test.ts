// The nightly gate on real runs: two runs of the same build compare clean; the safe variant with
// its lock_timeout removed (the ALTER now queues behind an 8 s report query) is flagged as a
// regression; and an abortOnFail stall budget stops that ALTER early while load and observer
// keep recording until teardown.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports } from '../model/compare.ts';
import type { RunReport } from '../model/schema.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';
import { ABORT_OBSERVE_MS } from './run-variant.ts';

const scenario = fileURLToPath(new URL('../../scenarios/testing/blocked-ddl.ts', import.meta.url));
const RUN = { rows: 2000, rate: 100 } as const;

/** The injected regression: someone deleted the lock_timeout (and its retries) from every sql step. */
const withoutLockTimeout = (s: ScenarioDefinition): ScenarioDefinition => ({
  ...s,
  variants: Object.fromEntries(Object.entries(s.variants).map(([name, v]) => [name, {
    ...v,
    steps: v.steps.map((st) => (st.kind === 'sql' ? { ...st, lockTimeoutMs: undefined, retries: undefined } : st)),
  }])),
});

let pg: PostgresHandle;
const reports: Record<'first' | 'second' | 'regressed' | 'aborted', RunReport> = {} as never;

beforeAll(async () => {
  // One server for all four runs; they run one after the other like a nightly job's.
  pg = await startEmbeddedPostgres();
  reports.first = (await rehearseForTest(scenario, { ...RUN, postgres: pg })).report;
  reports.second = (await rehearseForTest(scenario, { ...RUN, postgres: pg })).report;
  reports.regressed = (await rehearseForTest(scenario, { ...RUN, postgres: pg, edit: withoutLockTimeout })).report;
  reports.aborted = (await rehearseForTest(scenario, { ...RUN, postgres: pg, edit: withoutLockTimeout, budgets: { longestStallMs: { limit: 1000, abortOnFail: true } } })).report;
}, 600_000);

afterAll(async () => {
  await pg?.stop();
});

describe('rehearse compare on real runs', () => {
  it('should find no regression between two runs of the same build', () => {
    const c = compareReports(reports.first, reports.second);
    expect(c.rows.filter((r) => r.status === 'regressed')).toEqual([]);
    expect(c.regressed).toBe(false);
  });

  it('should flag the safe variant with its lock_timeout removed, on the stall and in the step that queued', () => {
    const safe = reports.first.variants[0]!;
    const broken = reports.regressed.variants[0]!;
    // Ground truth first: the ALTER now waited in the lock queue for the report query, with reads stalled behind it.
    const alter = broken.steps.find((s) => s.name === 'expand')!.statements[0]!;
    expect(alter.attempts).toHaveLength(1);
    expect(alter.lockWaitMs).toBeGreaterThan(5000);
    expect(broken.summary.longestStallMs).toBeGreaterThan(5000);
    expect(safe.steps.find((s) => s.name === 'expand')!.statements[0]!.attempts.length).toBeGreaterThan(1);

    const c = compareReports(reports.first, reports.regressed);
    expect(c.regressed).toBe(true);
    const flagged = c.rows.filter((r) => r.status === 'regressed').map((r) => `${r.step ?? 'run'}:${r.metric}`);
    expect(flagged).toContain('run:longestStallMs');
    expect(flagged).toContain('expand:longestStallMs');
  });
});

describe('abortOnFail', () => {
  it('should stop the migration once the stall budget breaches, cancelling the queued ALTER and skipping the rest', () => {
    const v = reports.aborted.variants[0]!;
    expect(v.summary.aborted).toMatchObject({ budget: 'longestStallMs', step: 'expand', check: { metric: 'longestStallMs', ok: false, abortOnFail: true } });
    expect(v.summary.aborted!.check.value).toBeGreaterThan(1000);
    const expand = v.steps.find((s) => s.name === 'expand')!;
    expect(expand.status).toBe('failed');
    expect(expand.error).toMatchObject({ code: 'REH_BUDGET_ABORTED', sqlstate: '57014' });
    expect(v.steps.find((s) => s.name === 'after')!.status).toBe('skipped');
    expect(v.summary).toMatchObject({ completed: false, verdict: 'fail' });
    // Stopped early: the stall ended soon after the breach instead of lasting the report query's 8 s.
    expect(v.summary.longestStallMs).toBeLessThan(5000);
    expect(v.summary.budgets.find((b) => b.name === 'longestStallMs')).toMatchObject({ abortOnFail: true, ok: false });
  });

  it('should keep load and observer recording after the stop until teardown', () => {
    const v = reports.aborted.variants[0]!;
    const at = v.summary.aborted!.atMs;
    // Requests completed, and lock samples were taken, in the seconds after the stop.
    const after = v.timeline.filter((p) => p.t * 1000 >= at + 500);
    expect(after.reduce((n, p) => n + p.completed, 0)).toBeGreaterThan(0);
    expect(after.some((p) => p.lockWaiters !== null)).toBe(true);
    expect(v.durationMs).toBeGreaterThanOrEqual(at + ABORT_OBSERVE_MS);
  });
});
