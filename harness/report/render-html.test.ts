import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderHtml } from './render-html.ts';
import { buildChartModel } from './html-chart.ts';
import { buildSampleReport } from './fixtures/sample-report.ts';
import type { RunReport, VariantResult } from '../model/schema.ts';
import { checkBudgets } from '../model/budgets.ts';
import { compareBaselines } from '../model/steady-state.ts';

const HOSTILE = `SELECT '</script><b>bold</b><!--' AS "x & y"`;

const scriptBodies = (html: string): string[] => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const jsonBlock = (html: string, id: string): unknown => {
  const m = html.match(new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`));
  if (!m) throw new Error(`no #${id} block`);
  return JSON.parse(m[1]);
};
/** Text of the page without scripts/styles/tags, roughly what a reader sees. */
const visibleText = (html: string): string =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<\/?(?:b|code|span|a)\b[^>]*>/g, '') // inline tags do not separate words
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('renderHtml', () => {
  it('makes no network fetches: no http(s) src, href, url() or @import anywhere in the file', () => {
    const html = renderHtml(buildSampleReport());
    expect(html).not.toMatch(/\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("default-src 'none'");
  });

  it('allows exactly its own inline scripts by hash in the Content-Security-Policy', () => {
    const html = renderHtml(buildSampleReport());
    const scripts = scriptBodies(html);
    expect(scripts).toHaveLength(2); // uPlot + chart client
    for (const body of scripts) {
      const hash = createHash('sha256').update(body, 'utf8').digest('base64');
      expect(html).toContain(`'sha256-${hash}'`);
    }
    expect(html).not.toContain("script-src 'unsafe-inline'");
  });

  it('renders SQL containing </script><b> as text everywhere and round-trips it through the embedded JSON', () => {
    const report = buildSampleReport();
    const naive = report.variants[0];
    naive.steps[0].statements[0].sql = HOSTILE;
    naive.steps[0].name = '<b>step</b>';
    naive.stalls[0].statement = HOSTILE;
    naive.lockWaits[0].query = HOSTILE;
    naive.notMeasured.push('<img src=x onerror=alert(1)>');
    const html = renderHtml(report);

    expect(html).not.toContain('</script><b>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;');
    expect(html.match(/<\/script>/g)).toHaveLength(4); // two JSON blocks, two scripts: nothing broke out
    expect(visibleText(html)).toContain(HOSTILE);
    expect(jsonBlock(html, 'rehearse-report')).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('escapes hostile scenario, variant, step, route, error, relation and application names wherever they appear', () => {
    // Each name is a tag with a quote, an apostrophe and an ampersand, unique per field.
    const bad = (field: string) => `<i id="${field}">'&</i>`;
    const escaped = (field: string) => `&lt;i id=&quot;${field}&quot;&gt;&#39;&amp;&lt;/i&gt;`;
    const report = buildSampleReport();
    const [naive, safe] = report.variants as [VariantResult, VariantResult];
    report.scenario = bad('scenario');
    for (const v of report.variants) v.scenario = bad('scenario');
    naive.variant = bad('variant');
    naive.description = bad('description');
    // Step names appear in the step table, on stalls, lock waits and the failed-step note.
    const stepName = bad('step');
    naive.steps[0]!.name = stepName;
    naive.stalls[0]!.step = stepName;
    naive.summary.longestStall = { ...naive.stalls[0]!, route: bad('route') };
    naive.stalls[0]!.route = bad('route');
    naive.lockWaits[0]!.step = stepName;
    naive.lockWaits[0]!.relation = bad('waitrel');
    naive.lockWaits[0]!.application = bad('application');
    naive.load.mix = { [bad('mixroute')]: 1 };
    const st = naive.steps[0]!.statements[0]!;
    st.locks = [{ locktype: 'relation', mode: 'AccessExclusiveLock', relation: bad('lockrel') }];
    st.rewrittenRelations = [bad('rewritten')];
    st.attempts[0]!.error = { sqlstate: '55P03', message: bad('attempterror') };
    st.error = { sqlstate: '42P01', message: bad('statementerror') };
    const failing = safe.steps[2]!;
    failing.status = 'failed';
    failing.error = { code: 'REH_STEP_FAILED', sqlstate: '57014', message: bad('steperror') };
    safe.summary = { ...safe.summary, verdict: 'fail', completed: false, failedStep: failing.name };
    const html = renderHtml(report);

    // The page itself uses no <i> element: any "<i " is an injection.
    expect(html).not.toMatch(/<i\b/);
    for (const field of ['scenario', 'variant', 'description', 'step', 'route', 'waitrel', 'application', 'mixroute', 'lockrel', 'rewritten', 'attempterror', 'statementerror', 'steperror']) {
      expect(html, field).toContain(escaped(field));
      expect(visibleText(html), field).toContain(bad(field));
    }
    expect(html.match(/<\/script>/g)).toHaveLength(4); // nothing broke out of the JSON blocks
    expect(jsonBlock(html, 'rehearse-report')).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('shows the naive 3.2 s stall with its route, step and statement, marked as over budget', () => {
    const html = renderHtml(buildSampleReport());
    const text = visibleText(html);
    expect(text).toContain('3,200 ms ✗');
    expect(text).toMatch(/route update-balance, step alter-type, ALTER TABLE users ALTER COLUMN balance TYPE numeric\(14,2\)/);
    expect(text).toContain('Stalls (2)');
    expect(html).toMatch(/<span class="bad">3,200 ms ✗<\/span>/);
    expect(text).toContain('FAIL');
    expect(text).toContain('PASS');
  });

  it('shows rewrites, locks and retried attempts with their SQLSTATE in the step table', () => {
    const text = visibleText(renderHtml(buildSampleReport()));
    expect(text).toContain('yes: users, users_pkey, users_email_key');
    expect(text).toContain('AccessExclusiveLock on users');
    expect(text).toContain('1 retry (up to 2 attempts)');
    expect(text).toMatch(/#1 at 5\.0 s: 201 ms, lock wait 200 ms — failed 55P03 canceling statement due to lock timeout/);
    expect(text).toContain('rowsPerSec: 7,143');
  });

  it('lists notMeasured items as a visible note', () => {
    const text = visibleText(renderHtml(buildSampleReport()));
    expect(text).toContain('Not measured in this run: per-request pool wait time');
  });

  it('shows a failed step with its error and the variant as not completed', () => {
    const report = buildSampleReport();
    const safe = report.variants[1];
    const backfill = safe.steps[2];
    backfill.status = 'failed';
    backfill.error = { code: 'REH_STEP_FAILED', sqlstate: '57014', message: 'canceling statement due to statement timeout' };
    safe.steps = safe.steps.slice(0, 3);
    safe.summary = { ...safe.summary, verdict: 'fail', completed: false, failedStep: backfill.name };
    const html = renderHtml(report);
    const text = visibleText(html);
    expect(text).toContain('Step backfill-balance-cents failed: SQLSTATE 57014 · canceling statement due to statement timeout');
    expect(text).toContain('REH_STEP_FAILED · SQLSTATE 57014');
    expect(text).toContain('did not complete: step backfill-balance-cents failed');
    expect(jsonBlock(html, 'rehearse-charts')).toMatchObject({ variants: [{}, { bands: [{}, {}, { status: 'failed' }] }] });
  });

  it('renders notes instead of charts and tables when the timeline and steps are empty', () => {
    const report = buildSampleReport();
    report.variants = [report.variants[0]];
    const v = report.variants[0];
    v.timeline = [];
    v.steps = [];
    v.stalls = [];
    v.lockWaits = [];
    const html = renderHtml(report);
    expect(html).not.toContain('class="chart-canvas"');
    expect(html).not.toContain('Variants compared'); // one variant: no comparison table
    const text = visibleText(html);
    expect(text).toContain('No timeline samples were recorded for this variant');
    expect(text).toContain('No steps ran in this variant.');
    expect(text).toContain('no timeline was recorded');
    expect(jsonBlock(html, 'rehearse-charts')).toEqual(expect.objectContaining({ variants: [null] }));
  });

  it('renders a report without variants', () => {
    const report: RunReport = { ...buildSampleReport(), variants: [] };
    expect(visibleText(renderHtml(report))).toContain('This report contains no variant results.');
  });

  it('never shows PASS for a variant whose summary contradicts its budgets or stalls', () => {
    const report = buildSampleReport();
    const naive = report.variants[0];
    naive.summary = { ...naive.summary, verdict: 'pass', longestStallMs: 0, longestStall: null };
    report.summary.verdict = 'pass';
    const html = renderHtml(report);
    const text = visibleText(html);
    expect(text).toContain('INCONSISTENT');
    expect(text).toContain('stalls list contains one of 3,200 ms');
    expect(text).toContain('verdict is "pass" although budget checks failed: maxStallMs');
    // The stall from the list is shown, not the summary's 0 ms.
    expect(html).toMatch(/<span class="bad">3,200 ms ✗<\/span>/);
  });
});

describe('budget checks in the HTML', () => {
  it('should show a budget met exactly, and an error budget of 0 with no errors, as passing (≤), not as a breach', () => {
    const report = buildSampleReport();
    report.variants = [report.variants[1]!];
    const v = report.variants[0]!;
    v.stalls = [];
    v.summary = { ...v.summary, longestStallMs: 1000, longestStall: null, errorRate: 0, budgets: checkBudgets({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: 1000, errorRate: 0 }) };
    const html = renderHtml(report);
    expect(html).toContain('<div class="ok">✓ maxStallMs: 1,000 ms ≤ 1,000 ms</div>');
    expect(html).toContain('<div class="ok">✓ maxErrorRate: 0% ≤ 0%</div>');
    expect(html).not.toContain('✗');
    expect(visibleText(html)).toContain('PASS');
  });

  it('should show a budget exceeded by the smallest amount as a breach', () => {
    const report = buildSampleReport();
    report.variants = [report.variants[1]!];
    const v = report.variants[0]!;
    v.summary = { ...v.summary, errorRate: 0.0001, budgets: checkBudgets({ maxStallMs: 1000, maxErrorRate: 0 }, { longestStallMs: v.summary.longestStallMs, errorRate: 0.0001 }) };
    const html = renderHtml(report);
    expect(html).toContain('<div class="bad">✗ maxErrorRate: 0.01% > 0%</div>');
  });
});

describe('buildChartModel', () => {
  it('gives every variant the same y ranges, taken from the largest value of any variant', () => {
    const model = buildChartModel(buildSampleReport());
    expect(model.ranges.ms[1]).toBeGreaterThanOrEqual(3261 * 1.05); // naive oldest in-flight / p99
    expect(model.ranges.backends[1]).toBeGreaterThanOrEqual(40);
    expect(model.variants).toHaveLength(2);
    expect(model.variants[1]?.stalls).toEqual([]);
    expect(model.variants[0]?.stalls[0]?.label).toBe('stall 3,200 ms · update-balance, read-by-id');
  });

  it('draws a second missing from the timeline as a gap (null), never as zero', () => {
    const report = buildSampleReport();
    report.variants[0].timeline = report.variants[0].timeline.filter((p) => p.t !== 5);
    report.variants[0].timeline[0].lockWaiters = null;
    const traffic = buildChartModel(report).variants[0]!.panels[0];
    const completed = traffic.data[1];
    expect(completed[5]).toBeNull();
    expect(completed[4]).toBeGreaterThan(0);
    expect(buildChartModel(report).variants[0]!.panels[1].data[1][0]).toBeNull();
  });
  it('should list what each route of a SQL-serving app runs, per version, with its share, params and notes', () => {
    const report = buildSampleReport();
    report.variants[0]!.app.routes = [
      { name: 'getBooking', weight: 0.75, sql: { base: [HOSTILE], 'dual-write': null }, params: ['pick(Booking.uid)'] },
      { name: 'cancel', weight: 0.25, sql: { base: ['update "Booking" set status = $2 where id = $1'], 'dual-write': ['update "Booking" set status = $2, s2 = $2 where id = $1'] }, params: ['pick(Booking.id)', '"cancelled"'] },
    ];
    report.variants[0]!.app.notes = ['profile: no insert derived: its primary key has no column that can take a fresh value safely'];
    const html = renderHtml(report);
    const text = visibleText(html);
    expect(text).toContain('App routes (2)');
    expect(text).toContain(`getBooking 75.0 % base: ${HOSTILE} dual-write: not served pick(Booking.uid)`);
    expect(text).toContain('dual-write: update "Booking" set status = $2, s2 = $2 where id = $1');
    expect(text).toContain('profile: no insert derived');
    expect(scriptBodies(html).join('')).not.toContain('<b>bold</b>');
  });

  it('says a comparison is unreliable when the variants\' steady states are too far apart', () => {
    const r = buildSampleReport();
    expect(visibleText(renderHtml(r))).not.toContain('This comparison is unreliable');
    r.variants[0]!.steadyState!.p99Ms = 271;
    r.baselines = compareBaselines(r.variants);
    const text = visibleText(renderHtml(r));
    expect(text).toContain('This comparison is unreliable.');
    expect(text).toContain('steady-state p99 differs: naive 271 ms vs expand-contract 12 ms');
  });

  it('warns when the machine was saturated before any step ran, naming the load rate', () => {
    const r = buildSampleReport();
    r.variants[1]!.cpu!.steadyState!.saturatedSeconds = 2;
    const text = visibleText(renderHtml(r));
    expect(text).toMatch(/the machine's CPU was saturated in 2 s of the steady state, before any step ran .*with the load rate of 200 req\/s this machine cannot serve and measure at once/);
  });
});

describe('a version matrix in the HTML', () => {
  it('should put each variant\'s versions in adjacent rows of the comparison, with a Postgres column', () => {
    const r = buildSampleReport();
    const [naive, safe] = r.variants as [VariantResult, VariantResult];
    const on = (v: VariantResult, label: string, version: string): VariantResult =>
      ({ ...v, variant: `${v.variant}@${label}`, server: { variant: v.variant, label }, postgres: { provider: 'embedded', version } });
    // As the runner produces them: every variant on the first server, then on the second.
    r.variants = [on(naive, 'pg14', '14.19'), on(safe, 'pg14', '14.19'), on(naive, 'pg18', '18.1'), on(safe, 'pg18', '18.1')];
    const table = renderHtml(r).match(/<table class="compare">[\s\S]*?<\/table>/)![0];
    expect(table).toContain('<th>Postgres</th>');
    const rows = [...table.matchAll(/<a href="#v(\d)">([^<]+)<\/a><\/th>\s*<td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(rows).toEqual([`0 ${naive.variant}@pg14 14.19`, `2 ${naive.variant}@pg18 18.1`, `1 ${safe.variant}@pg14 14.19`, `3 ${safe.variant}@pg18 18.1`]);
  });

  it('should show no Postgres column for a run on one server', () => {
    const table = renderHtml(buildSampleReport()).match(/<table class="compare">[\s\S]*?<\/table>/)![0];
    expect(table).not.toContain('<th>Postgres</th>');
  });
});
