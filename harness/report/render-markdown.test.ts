import { describe, expect, it } from 'vitest';
import { compareBaselines } from '../model/steady-state.ts';
import { buildSampleReport } from './fixtures/sample-report.ts';
import { renderMarkdown } from './render-markdown.ts';

describe('the Markdown summary', () => {
  it('should say when the variants ran on baselines too far apart, and when the machine was saturated before any step', () => {
    const r = buildSampleReport();
    expect(renderMarkdown([r])).not.toContain('⚠️');
    r.variants[0]!.steadyState!.p99Ms = 271;
    r.baselines = compareBaselines(r.variants);
    r.variants[1]!.cpu!.steadyState!.saturatedSeconds = 2;
    const md = renderMarkdown([r]);
    expect(md).toContain('⚠️ the variants did not run on comparable baselines, so comparing them is unreliable: steady-state p99 differs: naive 271 ms vs expand-contract 12 ms');
    expect(md).toMatch(/- ⚠️ the machine's CPU was saturated in 2 s of the steady state/);
  });
});
