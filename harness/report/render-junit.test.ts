// JUnit output checked the way CI tools read it: validated against the JUnit schema with libxml2
// (xmllint, compiled to WASM) and parsed with a real XML parser; a breached budget is a failing
// testcase whose message names the metric, the value, the limit and the step.
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../model/schema.ts';
import { upgradeReport } from '../model/upgrade-report.ts';
import { buildSampleReport } from './fixtures/sample-report.ts';
import { renderJunit } from './render-junit.ts';

const XSD = readFileSync(new URL('./fixtures/junit.xsd', import.meta.url), 'utf8');
const V2 = JSON.parse(readFileSync(new URL('./fixtures/v2-hold-lock.report.json', import.meta.url), 'utf8'));

const schemaErrors = async (xml: string): Promise<string[]> => {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: XSD }] });
  return r.errors.map((e) => e.message);
};

type Node = Record<string, unknown>;
const list = <T,>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const parse = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Node & { testsuite: Node | Node[] } };
  return { root: doc.testsuites, suites: list(doc.testsuites.testsuite) as (Node & { testcase: Node | Node[] })[] };
};
const cases = (suite: { testcase: Node | Node[] }) => list(suite.testcase) as (Node & { name: string; failure?: Node; skipped?: Node })[];

/** The sample report with the per-step breakdown a run now records under each step. */
function sampleWithStepChecks(): RunReport {
  const r = buildSampleReport();
  const alter = r.variants[0]!.steps.find((s) => s.name === 'alter-type')!;
  alter.budgets = [{ name: 'maxStallMs', metric: 'longestStallMs', scope: { step: 'alter-type' }, unit: 'ms', limit: 1000, value: 3200, actual: 3200, ok: false }];
  return r;
}

describe('renderJunit', () => {
  it('should produce XML valid against the JUnit schema CI tools read', async () => {
    expect(await schemaErrors(renderJunit([sampleWithStepChecks()]))).toEqual([]);
    expect(await schemaErrors(renderJunit([(upgradeReport(V2) as { report: RunReport }).report]))).toEqual([]);
  });

  it('should make one testsuite per variant with consistent counts', () => {
    const { root, suites } = parse(renderJunit([sampleWithStepChecks()]));
    expect(suites.map((s) => s.name)).toEqual(['widen-balance › naive', 'widen-balance › expand-contract']);
    for (const s of suites) {
      expect(Number(s.tests)).toBe(cases(s).length);
      expect(Number(s.failures)).toBe(cases(s).filter((c) => c.failure !== undefined).length);
    }
    expect(Number(root.tests)).toBe(suites.reduce((a, s) => a + Number(s.tests), 0));
    expect(Number(root.failures)).toBe(suites.reduce((a, s) => a + Number(s.failures), 0));
  });

  it('should turn a breached budget into a failing testcase naming the metric, value, limit and step', () => {
    const { suites } = parse(renderJunit([sampleWithStepChecks()]));
    const naive = cases(suites[0]!);
    const step = naive.find((c) => c.name === 'step alter-type › maxStallMs')!;
    expect(step.failure).toMatchObject({ type: 'budget', message: 'budget maxStallMs breached: longestStallMs 3,200 ms > limit 1,000 ms in step alter-type' });
    const run = naive.find((c) => c.name === 'whole run › maxStallMs')!;
    expect(run.failure?.message).toMatch(/^budget maxStallMs breached: longestStallMs 3,200 ms > limit 1,000 ms/);
    // A budget met is a passing testcase; the passing variant has no failure at all.
    expect(naive.find((c) => c.name === 'whole run › maxErrorRate')!.failure).toBeUndefined();
    expect(cases(suites[1]!).filter((c) => c.failure !== undefined)).toEqual([]);
  });

  it('should report a failed step as a failure and the steps after it as skipped', () => {
    const r = buildSampleReport();
    const v = r.variants[1]!;
    v.steps[3]!.status = 'failed';
    v.steps[3]!.error = { code: 'REH_STEP_FAILED', sqlstate: '23514', message: 'check violated \u0000\u001b[31m <&> "quoted"' };
    for (const s of v.steps.slice(4)) s.status = 'skipped';
    const xml = renderJunit([r]);
    const { suites } = parse(xml);
    const tc = cases(suites[1]!);
    expect(tc.find((c) => c.name === `step ${v.steps[3]!.name} (${v.steps[3]!.kind}) ran`)!.failure).toMatchObject({ type: 'REH_STEP_FAILED', message: expect.stringContaining('SQLSTATE 23514') });
    expect(tc.filter((c) => c.skipped !== undefined).length).toBeGreaterThanOrEqual(v.steps.length - 4);
    // Control characters XML cannot hold are dropped, markup is escaped.
    expect(xml).toContain('check violated [31m &lt;&amp;&gt; "quoted"</failure>');
    expect(xml).not.toMatch(/[\u0000\u001b]/);
  });

  it('should render a real report of the previous schema version (v2 fixture) with its breach', () => {
    const { suites } = parse(renderJunit([(upgradeReport(V2) as { report: RunReport }).report]));
    const failing = cases(suites[0]!).filter((c) => c.failure !== undefined).map((c) => c.name);
    expect(failing).toEqual(['whole run › maxStallMs']);
  });
});
