// A compact Markdown summary for a CI job's page ($GITHUB_STEP_SUMMARY) or a PR comment: per
// report a table of variants, per variant a table of steps, and every breached budget in words.
// Tables by markdown-table (GFM); cell text has its pipes escaped.
import { markdownTable } from 'markdown-table';
import type { RunReport, StepResult, VariantResult } from '../model/schema.ts';
import { describeCheck, fmtCount, fmtDuration, fmtMs, fmtPct, oneLine } from './format-units.ts';
import { breachMessage } from './render-junit.ts';
import { baselineWarnings, longestStall, measurementWarnings, shownOverallVerdict, shownVerdict, type ShownVerdict } from './report-checks.ts';
import type { Renderer } from './renderers.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const verdict = (v: ShownVerdict): string => (v === 'pass' ? '✅ PASS' : v === 'fail' ? '❌ FAIL' : '⚠️ INCONSISTENT');

const variantRow = (v: VariantResult): string[] => {
  const { ms, stall } = longestStall(v);
  const breached = (v.summary.budgets ?? []).filter((b) => !b.ok).length;
  return [
    v.variant,
    `${verdict(shownVerdict(v))}${v.summary.completed ? '' : ` (${v.summary.aborted ? 'stopped by a budget' : v.summary.failedStep ? `step ${v.summary.failedStep} failed` : 'incomplete'})`}`,
    `${fmtMs(ms)}${stall?.step ? ` (${stall.step})` : ''}`,
    fmtMs(v.summary.maxLatencyMs),
    fmtMs(v.summary.p99Ms),
    fmtPct(v.summary.errorRate),
    fmtCount(v.summary.maxLockWaiters),
    `${breached ? `${breached} of ` : ''}${(v.summary.budgets ?? []).length}${breached ? ' breached' : ' met'}`,
  ].map(cell);
};

const stepRow = (s: StepResult): string[] => [
  s.name,
  s.status === 'ok' ? 'ok' : s.status === 'failed' ? `❌ ${s.error?.code ?? 'failed'}` : 'skipped',
  fmtDuration(s.durationMs),
  fmtMs(s.longestStallMs),
  fmtMs(s.traffic?.p99Ms),
  fmtPct(s.traffic?.errorRate),
  fmtCount(s.maxLockWaiters),
  (s.budgets ?? []).filter((b) => !b.ok).map((b) => b.name).join(', ') || (s.budgets?.length ? 'met' : '—'),
].map(cell);

function reportSection(r: RunReport, link?: string): string {
  const lines = [`### rehearse · ${r.scenario} · ${verdict(shownOverallVerdict(r))}`, ''];
  lines.push(`Run \`${r.runId}\` · ${fmtDuration(r.durationMs)}${link ? ` · [report](${link})` : ''}`, '');
  if (r.calibration) lines.push(`Calibration: ${r.calibration.ok ? '✅' : '⚠️'} ${r.calibration.summary}`, '');
  for (const w of baselineWarnings(r)) lines.push(`⚠️ ${cell(w)}`, '');
  if (!r.variants.length) return [...lines, 'No variant results in this report.', ''].join('\n');
  lines.push(markdownTable([['variant', 'verdict', 'longest stall', 'max latency', 'p99', 'error rate', 'max lock waiters', 'budgets'], ...r.variants.map(variantRow)], { align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'] }), '');
  for (const v of r.variants) {
    const breached = (v.summary.budgets ?? []).filter((b) => !b.ok);
    // A breach of a run-wide budget already names its step; list per-step checks only when they add one.
    const named = new Set(breached.map((b) => `${b.name}|${b.scope?.step ?? b.where?.step ?? ''}`));
    const stepBreaches = (v.steps ?? []).flatMap((s) => (s.budgets ?? []).filter((b) => !b.ok && !named.has(`${b.name}|${s.name}`)));
    lines.push(`**${cell(v.variant)}** steps`, '');
    lines.push(markdownTable([['step', 'status', 'duration', 'longest stall', 'p99', 'error rate', 'lock waiters', 'budgets breached'], ...(v.steps ?? []).map(stepRow)], { align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'] }), '');
    for (const b of [...breached, ...stepBreaches]) lines.push(`- ❌ ${breachMessage(b)}`);
    if (v.summary.aborted) lines.push(`- ⛔ stopped by abortOnFail at ${(v.summary.aborted.atMs / 1000).toFixed(1)} s: ${describeCheck(v.summary.aborted.check)}`);
    const failed = (v.steps ?? []).find((s) => s.status === 'failed' && s.error?.code !== 'REH_BUDGET_ABORTED');
    if (failed) lines.push(`- ❌ step ${failed.name} failed: ${cell(oneLine(failed.error?.message ?? '', 200))}`);
    const warnings = measurementWarnings(v);
    for (const w of warnings) lines.push(`- ⚠️ ${cell(w)}`);
    if (breached.length || stepBreaches.length || v.summary.aborted || failed || warnings.length) lines.push('');
  }
  return lines.join('\n');
}

/** Several reports, each with an optional link to its HTML report. */
export const renderMarkdown = (reports: readonly RunReport[], links: readonly (string | undefined)[] = []): string =>
  `${reports.map((r, i) => reportSection(r, links[i])).join('\n')}\n`;

export const markdownRenderer: Renderer = {
  runFile: 'summary.md',
  render: (r) => renderMarkdown([r], ['report.html']),
  renderMany: (reports, ctx) => renderMarkdown(reports, ctx?.links),
};
