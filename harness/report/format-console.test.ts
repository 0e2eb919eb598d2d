import { describe, expect, it } from 'vitest';
import { formatConsoleSummary } from './format-console.ts';
import { fmtDuration, fmtMs, fmtPct } from './format-units.ts';
import { buildSampleReport } from './fixtures/sample-report.ts';
import { checkBudgets } from '../model/budgets.ts';
import { compareBaselines } from '../model/steady-state.ts';

describe('formatConsoleSummary', () => {
  it('prints one block per variant with verdict, longest stall (route, step, statement) and budgets', () => {
    const out = formatConsoleSummary(buildSampleReport(), { color: false });
    expect(out).toMatch(/^rehearse · widen-balance · run r-20251122-014203-7f3a · FAIL\n/);
    expect(out).toContain('naive — FAIL');
    expect(out).toContain('expand-contract — PASS');
    expect(out).toMatch(/longest stall +3,200 ms {2}route update-balance · step alter-type · ALTER TABLE users ALTER COLUMN balance TYPE numeric\(14,2\)/);
    expect(out).toMatch(/max latency +3,261 ms/);
    expect(out).toMatch(/max lock waiters 40/);
    expect(out).toContain('FAIL maxStallMs 3,200 ms > 1,000 ms');
    expect(out).toContain('not measured: per-request pool wait time');
  });

  it('prints one line per step with status, duration, p99 and the rewrite flag', () => {
    const out = formatConsoleSummary(buildSampleReport(), { color: false });
    expect(out).toMatch(/ok +alter-type +3\.35 s +p99 3,228 ms +CPU saturated 2 s +REWROTE users, users_pkey, users_email_key/);
    expect(out).toMatch(/ok +add-column +820 ms +p99 214 ms +1 lock-timeout retry \(up to 2 attempts\)/);
    expect(out.match(/^ {4}ok /gm)).toHaveLength(8); // 1 naive + 7 expand-contract steps
  });

  it('counts retries per transaction: a statement tried 5 times is 4 retries, not "retried ×1"', () => {
    const r = buildSampleReport();
    const st = r.variants[1]!.steps.find((s) => s.name === 'add-column')!.statements[0]!;
    st.attempts = [1, 2, 3, 4, 5].map((attempt) => ({ attempt, startMs: 5000 + attempt * 300, durationMs: 200, lockWaitMs: 200 }));
    expect(formatConsoleSummary(r, { color: false })).toMatch(/add-column .* 4 lock-timeout retries \(up to 5 attempts\)/);
  });

  it('shows the top SQLSTATEs and a failed step with its error', () => {
    const report = buildSampleReport();
    const safe = report.variants[1];
    safe.summary = { ...safe.summary, verdict: 'fail', completed: false, failedStep: 'verify-backfill', errorRate: 0.00002, errorsBySqlstate: { '40P01': 1, '55P03': 12, '57014': 3, XX000: 1 } };
    safe.steps[3].status = 'failed';
    safe.steps[3].error = { code: 'REH_STEP_FAILED', message: 'verify found 12 mismatching rows' };
    const out = formatConsoleSummary(report, { color: false });
    expect(out).toContain('error rate       0.002% of 14,400 requests  top SQLSTATE 55P03×12, 57014×3, 40P01×1');
    expect(out).toMatch(/failed +verify-backfill/);
    expect(out).toContain('error REH_STEP_FAILED: verify found 12 mismatching rows');
    expect(out).toContain('(did not complete: step verify-backfill failed)');
  });

  it('uses no ANSI colour codes unless asked, and colours FAIL red when asked', () => {
    expect(formatConsoleSummary(buildSampleReport(), { color: false })).not.toContain('\x1b[');
    expect(formatConsoleSummary(buildSampleReport(), { color: true })).toContain('\x1b[1;31mFAIL\x1b[0m');
  });

  it('reports a stall from the stalls list even when the summary forgot it', () => {
    const report = buildSampleReport();
    const naive = report.variants[0];
    naive.summary = { ...naive.summary, verdict: 'pass', longestStallMs: 0, longestStall: null };
    const out = formatConsoleSummary(report, { color: false });
    expect(out).toContain('naive — INCONSISTENT');
    expect(out).toMatch(/longest stall +3,200 ms {2}route update-balance/);
    expect(out).toContain('warning: summary says the longest stall is 0 ms');
  });

  it('prints warm-up, slow start and CPU per variant, and warns about unreliable baselines and a saturated machine', () => {
    const r = buildSampleReport();
    let out = formatConsoleSummary(r, { color: false });
    expect(out).toMatch(/warm-up +8\.00 s \(until p99 was steady for 3 s\), not counted in any step, summary or budget; steady state 200 req\/s, p99 12 ms/);
    expect(out).toMatch(/load +200 req\/s \(open model\), 2 instances, slow start off/);
    expect(out).toMatch(/cpu +steady state: harness 0\.21, apps 0\.32/);
    expect(out).not.toContain('warning:');
    r.variants[0]!.steadyState!.p99Ms = 271;
    r.baselines = compareBaselines(r.variants);
    r.variants[1]!.cpu!.steadyState!.saturatedSeconds = 3;
    out = formatConsoleSummary(r, { color: false });
    expect(out).toMatch(/^warning: the variants did not run on comparable baselines, so comparing them is unreliable: steady-state p99 differs/m);
    expect(out).toMatch(/ {2}warning: the machine's CPU was saturated in 3 s of the steady state/);
  });
});

describe('budget lines', () => {
  it('should print a budget met exactly, and an error budget of 0 with no errors, as passing', () => {
    const report = buildSampleReport();
    const safe = report.variants[1]!;
    safe.stalls = [];
    safe.summary = { ...safe.summary, longestStallMs: 1000, longestStall: null, errorRate: 0, budgets: checkBudgets({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: 1000, errorRate: 0 }) };
    const out = formatConsoleSummary(report, { color: false });
    expect(out).toContain('ok maxStallMs 1,000 ms <= 1,000 ms');
    expect(out).toContain('ok maxErrorRate 0% <= 0%');
    expect(out).toContain('expand-contract — PASS');
    // Coloured, the stall and the error rate are not painted red.
    const coloured = formatConsoleSummary(report, { color: true }).split('expand-contract')[1]!;
    expect(coloured).toMatch(/longest stall +1,000 ms/);
    expect(coloured).toMatch(/error rate +0% of/);
  });

  it('should print a budget exceeded by the smallest amount as failing', () => {
    const report = buildSampleReport();
    const safe = report.variants[1]!;
    safe.summary = { ...safe.summary, longestStallMs: 1001, budgets: checkBudgets({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: 1001, errorRate: 0.0001 }) };
    const out = formatConsoleSummary(report, { color: false });
    expect(out).toContain('FAIL maxStallMs 1,001 ms > 1,000 ms');
    expect(out).toContain('FAIL maxErrorRate 0.01% > 0%');
  });
});

describe('format units', () => {
  it('never rounds a non-zero rate or latency down to something that reads as zero', () => {
    expect(fmtPct(0)).toBe('0%');
    expect(fmtPct(0.00001)).toBe('0.001%');
    expect(fmtPct(1e-9)).toBe('<0.0001%');
    expect(fmtPct(0.0123)).toBe('1.23%');
    expect(fmtMs(0.4)).toBe('<1 ms');
    expect(fmtMs(null)).toBe('—');
    expect(fmtDuration(3350)).toBe('3.35 s');
    expect(fmtDuration(123_000)).toBe('2 min 03 s');
  });

});
