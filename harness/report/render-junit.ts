// JUnit XML for CI tools (GitHub/GitLab test reports, Jenkins, …): one testsuite per variant, a
// testcase per step (did it run?) and per budget per step, plus the run-wide checks. A breached
// budget is a <failure> whose message names the metric, value, limit and step; a check with
// nothing to measure is <skipped> with the reason. Built with xmlbuilder, which escapes and drops
// characters XML cannot hold (a SQL error can contain any byte).
import xmlbuilder from 'xmlbuilder';
import type { BudgetCheck, RunReport, StepResult, VariantResult } from '../model/schema.ts';
import { checkUnit, describeCheck, fmtMetricValue, fmtScope, oneLine } from './format-units.ts';
import { checkMetric } from './report-checks.ts';
import type { Renderer } from './renderers.ts';

interface Case {
  classname: string;
  name: string;
  time: number;
  failure?: { type: string; message: string; body: string };
  skipped?: string;
}

const seconds = (ms: number | null | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

/** "budget maxStallMs breached: longestStallMs 3,200 ms > limit 1,000 ms in step alter-type (route update-balance)". */
export const breachMessage = (b: BudgetCheck): string => {
  const unit = checkUnit(b);
  const step = b.scope?.step ?? b.where?.step;
  const other = fmtScope({ ...b.scope, step: undefined, ...(b.where?.route && !b.scope?.route ? { route: b.where.route } : {}) });
  return `budget ${b.name} breached: ${checkMetric(b) ?? b.name} ${fmtMetricValue(unit, b.actual)} > limit ${fmtMetricValue(unit, b.limit)}${step ? ` in step ${step}` : ' over the whole run'}${other ? ` (${other})` : ''}`;
};

const checkCase = (classname: string, name: string, b: BudgetCheck): Case => {
  const c: Case = { classname, name, time: 0 };
  if (b.actual === null) c.skipped = describeCheck(b);
  else if (!b.ok) c.failure = { type: 'budget', message: breachMessage(b), body: `${describeCheck(b)}\n${JSON.stringify(b, null, 2)}` };
  return c;
};

const stepCase = (classname: string, s: StepResult): Case => {
  const c: Case = { classname, name: `step ${s.name} (${s.kind}) ran`, time: s.durationMs / 1000 };
  if (s.status === 'skipped') c.skipped = 'not run: an earlier step failed or the run was stopped';
  if (s.status === 'failed') {
    const code = s.error?.code ?? 'REH_STEP_FAILED';
    const msg = `step ${s.name} failed${s.error?.sqlstate ? ` (SQLSTATE ${s.error.sqlstate})` : ''}: ${oneLine(s.error?.message ?? 'no error message recorded', 300)}`;
    c.failure = { type: code, message: msg, body: (s.error?.message ?? '') + (s.statements ?? []).filter((st) => st.status === 'failed').map((st) => `\n${st.sql}`).join('') };
  }
  return c;
};

function variantCases(scenario: string, v: VariantResult): Case[] {
  const classname = `${scenario}.${v.variant}`;
  const cases: Case[] = [];
  const runChecks = v.summary.budgets ?? [];
  for (const s of v.steps ?? []) {
    cases.push(stepCase(classname, s));
    // The run's budgets on this step alone, and budgets declared for this step.
    for (const b of s.budgets ?? []) cases.push(checkCase(classname, `step ${s.name} › ${b.name}`, b));
    for (const b of runChecks.filter((x) => x.scope?.step === s.name)) cases.push(checkCase(classname, `step ${s.name} › ${b.name}`, b));
  }
  for (const b of runChecks.filter((x) => !x.scope?.step)) cases.push(checkCase(classname, `whole run › ${b.name}`, b));
  if (v.summary.aborted) {
    const a = v.summary.aborted;
    cases.push({ classname, name: 'migration ran to the end', time: 0, failure: { type: 'REH_BUDGET_ABORTED', message: `stopped at ${seconds(a.atMs)} s${a.step ? ` in step ${a.step}` : ''}: ${breachMessage(a.check)} (abortOnFail)`, body: JSON.stringify(a, null, 2) } });
  }
  return cases;
}

function addSuite(root: xmlbuilder.XMLElement, name: string, timestamp: string, timeMs: number, props: Record<string, string | number>, cases: Case[]): void {
  const suite = root.ele('testsuite', {
    name, tests: cases.length, failures: cases.filter((c) => c.failure).length, errors: 0, skipped: cases.filter((c) => c.skipped).length,
    time: seconds(timeMs), timestamp: timestamp.replace(/Z$/, '').replace(/\.\d+$/, ''),
  });
  const p = suite.ele('properties');
  for (const [k, val] of Object.entries(props)) p.ele('property', { name: k, value: String(val) });
  for (const c of cases) {
    const tc = suite.ele('testcase', { classname: c.classname, name: c.name, time: c.time.toFixed(3) });
    if (c.failure) tc.ele('failure', { message: c.failure.message, type: c.failure.type }).txt(c.failure.body);
    else if (c.skipped) tc.ele('skipped', { message: c.skipped });
  }
}

export function renderJunit(reports: readonly RunReport[]): string {
  const root = xmlbuilder.create('testsuites', { version: '1.0', encoding: 'UTF-8' }, {}, { invalidCharReplacement: '' });
  let tests = 0, failures = 0, skipped = 0, timeMs = 0;
  for (const r of reports) {
    for (const v of r.variants) {
      const cases = variantCases(r.scenario, v);
      tests += cases.length;
      failures += cases.filter((c) => c.failure).length;
      skipped += cases.filter((c) => c.skipped).length;
      timeMs += v.durationMs;
      addSuite(root, `${r.scenario} › ${v.variant}`, v.startedAt, v.durationMs, {
        runId: r.runId, scenario: r.scenario, variant: v.variant, verdict: v.summary.verdict, completed: String(v.summary.completed),
        longestStallMs: v.summary.longestStallMs, errorRate: v.summary.errorRate, requests: v.summary.requests,
      }, cases);
    }
    if (r.calibration) {
      const c = r.calibration;
      const cases: Case[] = [{
        classname: `${r.scenario}.calibration`, name: `stall detector within ±${c.toleranceMs} ms of a ${c.holdTargetMs} ms ACCESS EXCLUSIVE hold`, time: 0,
        ...(c.ok ? {} : { failure: { type: 'calibration', message: c.summary, body: JSON.stringify(c, null, 2) } }),
      }];
      tests += 1;
      failures += c.ok ? 0 : 1;
      addSuite(root, `${r.scenario} › calibration`, r.startedAt, 0, { runId: r.runId, stallErrorMs: c.stallErrorMs ?? 'not measured' }, cases);
    }
  }
  root.att('name', 'rehearse').att('tests', tests).att('failures', failures).att('errors', 0).att('skipped', skipped).att('time', seconds(timeMs));
  return `${root.end({ pretty: true })}\n`;
}

export const junitRenderer: Renderer = {
  runFile: 'junit.xml',
  render: (r) => renderJunit([r]),
  renderMany: (reports) => renderJunit(reports),
};
