// The regression table of `rehearse compare`: per variant, one row per step (and the variant as a
// whole), one column per metric, "baseline → current" with the regressions marked. Plain text for
// the terminal, Markdown for a CI job's page.
import { markdownTable } from 'markdown-table';
import { COMPARE_UNITS, type CompareMetric, type CompareRow, type Comparison } from '../model/compare.ts';
import { fmtMetricValue } from './format-units.ts';

const METRIC_LABELS: Record<CompareMetric, string> = {
  longestStallMs: 'longest stall', maxLatencyMs: 'max latency', p99Ms: 'p99', errorRate: 'error rate', lockWaiters: 'lock waiters', exclusiveHoldMs: 'AE hold', stepDurationMs: 'duration',
};

const fmt = (row: CompareRow, v: number | string | null): string =>
  typeof v === 'number' && row.metric in COMPARE_UNITS ? fmtMetricValue(COMPARE_UNITS[row.metric as CompareMetric], v) : v === null ? '—' : String(v);

const cellText = (row: CompareRow | undefined, marks: { bad: string; good: string }): string => {
  if (!row) return '';
  const text = row.baseline === row.current ? fmt(row, row.current) : `${fmt(row, row.baseline)} → ${fmt(row, row.current)}`;
  return row.status === 'regressed' ? `${marks.bad}${text}` : row.status === 'improved' ? `${marks.good}${text}` : row.status === 'not compared' ? `${text} (n/c)` : text;
};

function tables(c: Comparison, marks: { bad: string; good: string }): { variant: string; header: string[]; rows: string[][] }[] {
  const out: { variant: string; header: string[]; rows: string[][] }[] = [];
  const variants = [...new Set(c.rows.map((r) => r.variant))];
  const metrics = Object.keys(METRIC_LABELS) as CompareMetric[];
  for (const variant of variants) {
    const rows = c.rows.filter((r) => r.variant === variant);
    const scopes = [...new Set(rows.map((r) => r.step))];
    const header = ['step', 'status', ...metrics.map((m) => METRIC_LABELS[m])];
    out.push({
      variant,
      header,
      rows: scopes.map((step) => {
        const of = (metric: string) => rows.find((r) => r.step === step && r.metric === metric);
        const status = step === null ? [cellText(of('status'), marks), cellText(of('verdict'), marks)].filter(Boolean).join(', ') : cellText(of('status'), marks);
        return [step ?? '(whole run)', status, ...metrics.map((m) => cellText(of(m), marks))];
      }),
    });
  }
  return out;
}

const headline = (c: Comparison): string => {
  const n = c.rows.filter((r) => r.status === 'regressed').length;
  return `${c.scenario}: ${c.regressed ? `REGRESSED (${n} figure${n === 1 ? '' : 's'} worse than the baseline beyond tolerance)` : 'no regression'} · baseline ${c.baseline.runId} (${c.baseline.startedAt}) → current ${c.current.runId}`;
};

const toleranceText = (c: Comparison): string =>
  `tolerances (worse by more than both): ${(Object.entries(c.tolerances) as [CompareMetric, { abs: number; rel: number }][]).map(([m, t]) => `${m} +${fmtMetricValue(COMPARE_UNITS[m], t.abs)} & +${Math.round(t.rel * 100)}%`).join('; ')}`;

export function renderComparisonText(c: Comparison): string {
  const lines = [headline(c)];
  for (const t of tables(c, { bad: '▲ ', good: '▼ ' })) {
    lines.push('', t.variant);
    const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `  ${cells.map((x, i) => x.padEnd(widths[i]!)).join('  ')}`.trimEnd();
    lines.push(line(t.header), ...t.rows.map(line));
  }
  for (const r of c.rows.filter((x) => x.status === 'regressed')) lines.push(`▲ ${r.variant}${r.step ? ` / ${r.step}` : ''}: ${r.metric} ${fmt(r, r.baseline)} → ${fmt(r, r.current)}`);
  for (const n of c.notes) lines.push(`note: ${n}`);
  lines.push(toleranceText(c), '▲ regression beyond tolerance · ▼ improvement beyond tolerance · n/c not compared');
  return `${lines.join('\n')}\n`;
}

export function renderComparisonMarkdown(c: Comparison): string {
  const lines = [`### rehearse compare · ${c.regressed ? '❌ ' : '✅ '}${headline(c)}`, ''];
  for (const t of tables(c, { bad: '🔺 ', good: '🔻 ' })) {
    lines.push(`**${t.variant}**`, '', markdownTable([t.header, ...t.rows.map((r) => r.map((x) => x.replace(/\|/g, '\\|')))]), '');
  }
  for (const n of c.notes) lines.push(`- ${n}`);
  lines.push('', `<sub>${toleranceText(c)}</sub>`, '');
  return lines.join('\n');
}
