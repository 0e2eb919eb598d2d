// lock-queue at 5k users: a 3 s background report query holds ACCESS SHARE on users. Without
// lock_timeout the ALTER queues behind it and so does every query on users (the report query is
// the root blocker); with lock_timeout the ALTER retries and the app only sees short spikes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, VariantResult } from '../harness/model/schema.ts';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

let report: RunReport;
const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const alter = (name: string) => variant(name).steps.find((s) => s.name === 'add-column')!.statements[0]!;

beforeAll(async () => {
  ({ report } = await rehearseForTest('lock-queue', { rows: 5_000, rate: 80, instances: 1 }));
});

describe('lock-queue at 5k users', () => {
  it('should draw the report query as a 3 s band, ended by its own hold', () => {
    for (const v of report.variants) {
      const band = v.events.find((e) => e.kind === 'background-session')!;
      expect(band.endMs! - band.atMs).toBeGreaterThan(2700);
      expect(band.endMs! - band.atMs).toBeLessThan(4500);
      expect(band.details).toMatchObject({ applicationName: 'rehearse-background/report-query', session: 'long-query', endedBy: 'hold' });
    }
  });

  it('should stall the app behind the naive ALTER for most of the report, with the report query as the root blocker', () => {
    const v = variant('naive');
    expect(alter('naive').lockWaitMs).toBeGreaterThan(2000);
    expect(v.summary.longestStallMs).toBeGreaterThan(2000);
    expect(v.summary.longestStall?.step).toBe('add-column');
    const appWait = v.lockWaits.filter((w) => w.application.startsWith('rehearse-app/')).reduce((a, w) => (w.lastSeenMs - w.firstSeenMs > a.lastSeenMs - a.firstSeenMs ? w : a));
    expect(appWait.blockedBy?.map((b) => b.application)).toContain('rehearse-migration');
    expect(appWait.rootBlockers?.[0]).toMatchObject({ application: 'rehearse-background/report-query', state: 'active', waiting: false, query: 'SELECT count(*) FROM users CROSS JOIN pg_sleep(3)' });
  });

  it('should retry the safe ALTER after lock timeouts, with stalls far shorter than the naive one', () => {
    const st = alter('safe');
    expect(st.status).toBe('ok');
    expect(st.attempts.length).toBeGreaterThan(1);
    expect(st.attempts.slice(0, -1).every((a) => a.error?.sqlstate === '55P03')).toBe(true);
    // Each failed attempt waited about its lock_timeout (200 ms) in the queue.
    for (const a of st.attempts.slice(0, -1)) expect(a.lockWaitMs).toBeLessThan(600);
    const safe = variant('safe');
    expect(safe.summary.longestStallMs).toBeLessThan(1000);
    expect(safe.summary.longestStallMs).toBeLessThan(variant('naive').summary.longestStallMs / 2);
    expect(safe.summary.errorRate).toBe(0);
  });
});
