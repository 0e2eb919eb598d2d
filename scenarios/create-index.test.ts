// create-index at 10k users, beside a batch job that holds a write transaction on users for 2 s
// (so the SHARE lock's effect lasts long enough to measure at this size):
//   - plain CREATE INDEX queues behind the batch job holding SHARE-to-be: writes stall, reads flow,
//     and the batch job is named as the root blocker of the app's waits;
//   - --harden turns the plain migration into CREATE INDEX CONCURRENTLY: no write stall;
//   - a failed CONCURRENTLY build leaves an INVALID index that is named, dropped, and gone.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../harness/model/schema.ts';
import { loadScenario, resolveScenarioFile } from '../harness/plan/load-scenario.ts';
import { hardenVariant } from '../harness/plan/harden-variant.ts';
import type { Variant } from '../harness/scenario.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

const WRITES = ['update-balance', 'create-user'];
const READS = ['read-by-id', 'lookup-by-email'];
let report: RunReport;
let hardened: Variant;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const stallOf = (v: VariantResult, step: string, routes: string[]) => Math.max(0, ...v.stalls.filter((s) => s.step === step && routes.includes(s.route)).map((s) => s.durationMs));

beforeAll(async () => {
  const scenario = await loadScenario(resolveScenarioFile('create-index'));
  hardened = await hardenVariant('plain', scenario.variants.plain!);
  ({ report } = await rehearseForTest('create-index', {
    // A pool with room for every write blocked during the hold: with the default 10, blocked writes
    // take every connection and the reads stall too, waiting for the pool (true, but another lesson).
    rows: 10_000, rate: 100, instances: 1, appSettings: { poolSize: 60 },
    variants: ['plain', 'plain-hardened', 'concurrently-failed'],
    edit: (s) => ({ ...s, variants: { ...s.variants, 'plain-hardened': hardened } }),
    // A batch job's write transaction, open from 0.5 s to 2.5 s: it holds ROW EXCLUSIVE on users.
    background: [{ name: 'batch-job', session: 'idle-in-transaction', table: 'users', seconds: 2, startAfterSeconds: 0.5, sql: 'UPDATE users SET updated_at = now() WHERE id <= 10' }],
  }));
});

describe('create-index at 10k users beside a batch job', () => {
  it('should hold SHARE on users in the plain build, stalling writes while reads flow', () => {
    const v = variant('plain');
    const st = v.steps.find((s) => s.name === 'create-index')!.statements[0]!;
    expect(st.locks).toContainEqual(expect.objectContaining({ mode: 'ShareLock', relation: 'users' }));
    expect(st.lockWaitMs).toBeGreaterThan(500); // queued behind the batch job
    const writes = stallOf(v, 'create-index', WRITES);
    expect(writes).toBeGreaterThan(st.lockWaitMs * 0.6);
    expect(stallOf(v, 'create-index', READS)).toBeLessThan(writes / 2);
  });

  it('should name the idle-in-transaction batch job as the root blocker of the app\'s waits', () => {
    const appWaits = variant('plain').lockWaits.filter((w) => w.application.startsWith('rehearse-app/'));
    expect(appWaits.length).toBeGreaterThan(0);
    const longest = appWaits.reduce((a, w) => (w.lastSeenMs - w.firstSeenMs > a.lastSeenMs - a.firstSeenMs ? w : a));
    const root = longest.rootBlockers?.[0];
    expect(root).toMatchObject({ application: 'rehearse-background/batch-job', state: 'idle in transaction', waiting: false, query: 'UPDATE users SET updated_at = now() WHERE id <= 10' });
    expect(root!.xactAgeMs).toBeGreaterThan(500);
    // The waiting app queries are blocked by the migration, which waits on the batch job.
    expect(longest.blockedBy).toContainEqual(expect.objectContaining({ application: 'rehearse-migration' }));
    const band = variant('plain').events.find((e) => e.kind === 'background-session')!;
    expect(band.endMs! - band.atMs).toBeGreaterThan(1800);
    expect(band.details).toMatchObject({ applicationName: 'rehearse-background/batch-job', endedBy: 'hold' });
  });

  it('should harden the plain migration into the CONCURRENTLY build, which stalls no write', () => {
    expect(hardened.hardening!.rewrites).toEqual([expect.objectContaining({ pattern: 'create-index-concurrently', before: 'CREATE INDEX users_created_at_idx ON users (created_at)', after: ['CREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at)'] })]);
    const v = variant('plain-hardened');
    expect(v.hardening?.from).toBe('plain');
    const st = v.steps.find((s) => s.name === 'create-index')!.statements[0]!;
    expect(st.sql).toBe('CREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at)');
    expect(st.locks.map((l) => l.mode)).not.toContain('ShareLock');
    expect(st.durationMs).toBeGreaterThan(500); // it waited for the batch job too, without blocking anyone
    expect(stallOf(v, 'create-index', WRITES)).toBeLessThan(stallOf(variant('plain'), 'create-index', WRITES) / 2);
    expect(v.summary.errorRate).toBe(0);
  });

  it('should name the INVALID index a failed CONCURRENTLY build leaves, and drop it', () => {
    const v = variant('concurrently-failed');
    expect(v.summary.completed).toBe(true);
    const build = v.steps.find((s) => s.name === 'create-unique-index')!;
    expect(build.details).toMatchObject({ expectedError: { sqlstate: '23505' }, invalidIndexes: ['orders_user_id_key'] });
    expect(v.steps.find((s) => s.name === 'verify-no-invalid-index')!.details?.discrepancies).toBe(0);
  });
});
