// Each fault, injected into a real rehearsal (sample app, 2 instances, open-model load): it must
// take effect, show as an event on the timeline, and the report must say what the app and the
// migration did. One rehearsal, one variant per fault (scenarios/testing/faults.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunReport, VariantResult } from '../../model/schema.ts';
import type { BackfillRetry } from '../backfill-step.ts';
import { rehearseForTest } from '../../testing/run-for-test.ts';

const SCENARIO = fileURLToPath(new URL('../../../scenarios/testing/faults.ts', import.meta.url));
let report: RunReport;
let html: string;

beforeAll(async () => {
  const r = await rehearseForTest(SCENARIO, { rows: 3000, rate: 100, instances: 2 });
  report = r.report;
  html = readFileSync(r.paths.html, 'utf8');
}, 300_000);

const variant = (name: string): VariantResult => report.variants.find((v) => v.variant === name)!;
const faultEvent = (v: VariantResult): RunEvent => {
  const faults = v.events.filter((e) => e.kind === 'fault');
  expect(faults, JSON.stringify(v.events)).toHaveLength(1);
  return faults[0]!;
};
const step = (v: VariantResult, name: string) => v.steps.find((s) => s.name === name)!;

describe('fault injection', () => {
  it('kill-instance: SIGKILLs an instance mid-deploy, the deploy completes, and a replacement of the new version serves', () => {
    const v = variant('kill-mid-deploy');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'kill-instance', firedDuring: 'deploy-new', killed: { version: 'old' }, restarted: { version: 'new' } });
    const killed = (ev.details!.killed as { instance: string }).instance;
    // The fleet saw the death on its own and took the instance out of rotation.
    expect(v.events.find((e) => e.kind === 'instance-exit')).toMatchObject({ details: { instance: killed, signal: 'SIGKILL' } });
    expect(step(v, 'deploy-new').status).toBe('ok');
    // The killed instance was not replaced a second time by the deploy: one old instance stopped, one started.
    const actions = (step(v, 'deploy-new').details!.events as { instance: string; action: string }[]);
    expect(actions.filter((a) => a.action === 'stopped').map((a) => a.instance)).not.toContain(killed);
    expect(actions.filter((a) => a.action === 'started')).toHaveLength(1);
    // The harness kept measuring: traffic after the kill was served.
    expect(ev.impact).toMatchObject({ step: 'deploy-new', stepStatus: 'ok' });
    expect(ev.impact!.requests).toBeGreaterThan(0);
    expect(step(v, 'after').traffic!.completed).toBeGreaterThan(0);
    expect(step(v, 'after').traffic!.errors + step(v, 'after').traffic!.non2xx).toBe(0);
    expect(v.summary.completed).toBe(true);
  });

  it("terminate-backend (migration): the backfill's session is terminated, it reconnects, resumes from its last key, and misses no row", () => {
    const v = variant('terminate-migration');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'terminate-backend', target: 'migration', terminated: 1, firedDuring: 'backfill' });
    const bf = step(v, 'backfill');
    expect(bf.status).toBe('ok');
    const retries = bf.details!.retries as BackfillRetry[];
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]!.newSession).toBe(true);
    expect(Number(retries[0]!.afterKey) % 100).toBe(0); // a batch boundary: the last committed key
    expect(bf.statements[0]!.attempts.length).toBe(retries.length + 1);
    expect(step(v, 'every-row-backfilled')).toMatchObject({ status: 'ok', details: { discrepancies: 0 } });
    expect(ev.impact).toMatchObject({ step: 'backfill', stepStatus: 'ok' });
  });

  it('statement-timeout: batches waiting behind a held lock are cancelled (57014) and the backfill resumes from its last key', () => {
    const v = variant('statement-timeout');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'statement-timeout', timeoutMs: 200, mode: 'SHARE', firedDuring: 'backfill' });
    const held = ev.endMs! - ev.atMs;
    expect(held).toBeGreaterThanOrEqual(900);
    expect(held).toBeLessThan(1400);
    const bf = step(v, 'backfill');
    expect(bf.status).toBe('ok');
    const retries = bf.details!.retries as BackfillRetry[];
    expect(retries.length).toBeGreaterThanOrEqual(1);
    for (const r of retries) expect(r).toMatchObject({ sqlstate: '57014', newSession: false });
    // Every retry starts after the same committed key until the lock goes: nothing skipped, nothing redone.
    expect(new Set(retries.map((r) => r.afterKey)).size).toBe(1);
    expect(step(v, 'every-row-backfilled')).toMatchObject({ status: 'ok', details: { discrepancies: 0 } });
    // The SHARE lock blocked the app's writes for as long as it was held: a stall of that length.
    expect(Math.abs(ev.impact!.longestStallMs - held)).toBeLessThan(300);
  });

  it('hold-lock: an ALTER queues behind a long ACCESS SHARE holder, and the app queues behind the ALTER for as long', () => {
    const v = variant('hold-lock');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'hold-lock', mode: 'ACCESS SHARE', firedDuring: 'add-column' });
    const held = ev.endMs! - ev.atMs;
    const alter = step(v, 'add-column').statements[0]!;
    expect(Math.abs(alter.lockWaitMs - held)).toBeLessThan(250);
    expect(ev.impact).toMatchObject({ step: 'add-column', stepStatus: 'ok' });
    expect(Math.abs(ev.impact!.longestStallMs - held)).toBeLessThan(300);
    expect(v.summary.longestStall).toMatchObject({ step: 'add-column', statement: 'ALTER TABLE users ADD COLUMN note text' });
  });

  it("connection-storm: extra clients exhaust the app's pools, and the measured traffic shows the queueing", () => {
    const v = variant('connection-storm');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'connection-storm', connections: 200, firedDuring: 'during-storm' });
    expect(ev.details!.requests as number).toBeGreaterThan(0);
    // More requests waiting for a pool connection than both pools (2 × 10) can serve at once.
    expect(ev.details!.maxPoolWaiting as number).toBeGreaterThan(20);
    // Seconds of the timeline that overlap the storm (a 1.5 s storm need not cover a whole second).
    const during = v.timeline.filter((p) => p.t * 1000 < ev.endMs! && (p.t + 1) * 1000 > ev.atMs);
    expect(Math.max(...during.map((p) => p.poolWaiting ?? 0))).toBeGreaterThan(0);
    expect(ev.impact!.requests).toBeGreaterThan(0);
  });

  it("terminate-backend (app): every app session is terminated, and the app reconnects and keeps serving", () => {
    const v = variant('terminate-app');
    const ev = faultEvent(v);
    expect(ev.details).toMatchObject({ fault: 'terminate-backend', target: 'app', firedDuring: 'steady' });
    const sessions = ev.details!.sessions as { app: string }[];
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    for (const s of sessions) expect(s.app).toMatch(/^rehearse-app\//);
    // Only a query caught in flight can fail, and only with admin_shutdown.
    expect(Object.keys(ev.impact!.errorsBySqlstate).filter((s) => s !== '57P01')).toEqual([]);
    // Every whole second after the termination still got answers: the pools reconnected.
    const after = v.timeline.filter((p) => p.t * 1000 >= ev.atMs && (p.t + 1) * 1000 <= v.steps.at(-1)!.endMs);
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const p of after) expect(p.ok, JSON.stringify(p)).toBeGreaterThan(0);
  });

  it('shows every fault in the HTML report: the events table and a marker on the chart', () => {
    expect(html.match(/<table class="events">/g)).toHaveLength(6);
    for (const f of ['fault: kill-instance', 'fault: terminate-backend', 'fault: statement-timeout', 'fault: hold-lock', 'fault: connection-storm']) expect(html).toContain(f);
  });
});
