// index.html for an invocation that rehearsed several scenarios (a nightly job): one line per
// scenario and variant with its verdict and worst figures, linking each run's own report.
// Self-contained like the reports: no script at all, and a CSP that forbids every fetch.
import type { RunReport } from '../model/schema.ts';
import { escapeHtml as e } from './html-escape.ts';
import { fmtDate, fmtDuration, fmtMs, fmtPct } from './format-units.ts';
import { longestStall, shownOverallVerdict, shownVerdict } from './report-checks.ts';
import type { Renderer } from './renderers.ts';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24}table{border-collapse:collapse}
th,td{padding:4px 10px;border-bottom:1px solid #d8dee4;text-align:left}td.num{text-align:right}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.inconsistent{color:#9a6700;font-weight:600}.muted{color:#59636e}`;

export function renderIndex(reports: readonly RunReport[], links: readonly (string | undefined)[] = []): string {
  const failed = reports.filter((r) => r.summary.verdict === 'fail').length;
  const rows = reports.flatMap((r, i) => {
    const link = links[i];
    const name = link ? `<a href="${e(link)}">${e(r.scenario)}</a>` : e(r.scenario);
    const head = `<tr><th scope="row">${name}</th><td class="${shownOverallVerdict(r)}">${e(shownOverallVerdict(r).toUpperCase())}</td><td colspan="5" class="muted">run ${e(r.runId)} · ${e(fmtDate(r.startedAt))} · ${e(fmtDuration(r.durationMs))}${r.calibration ? ` · calibration: ${e(r.calibration.summary)}` : ''}</td></tr>`;
    return [head, ...r.variants.map((v) => {
      const { ms, stall } = longestStall(v);
      const breached = (v.summary.budgets ?? []).filter((b) => !b.ok).map((b) => b.name);
      return `<tr><td>&nbsp;&nbsp;${e(v.variant)}</td><td class="${shownVerdict(v)}">${e(shownVerdict(v).toUpperCase())}</td><td class="num">${e(fmtMs(ms))}${stall?.step ? ` <span class="muted">(${e(stall.step)})</span>` : ''}</td><td class="num">${e(fmtMs(v.summary.maxLatencyMs))}</td><td class="num">${e(fmtPct(v.summary.errorRate))}</td><td>${v.summary.completed ? 'completed' : '<span class="fail">did not complete</span>'}</td><td>${breached.length ? `<span class="fail">${e(breached.join(', '))}</span>` : 'all met'}</td></tr>`;
    })];
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>rehearse · ${reports.length} scenario${reports.length === 1 ? '' : 's'} · ${failed ? `${failed} failed` : 'all passed'}</title>
<style>${CSS}</style>
</head>
<body>
<h1>rehearse · ${reports.length} scenario${reports.length === 1 ? '' : 's'} · <span class="${failed ? 'fail' : 'pass'}">${failed ? `${failed} failed` : 'all passed'}</span></h1>
<table>
<thead><tr><th>scenario / variant</th><th>verdict</th><th>longest stall</th><th>max latency</th><th>error rate</th><th>migration</th><th>budgets breached</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

export const indexRenderer: Renderer = {
  render: (r) => renderIndex([r], ['report.html']),
  renderMany: (reports, ctx) => renderIndex(reports, ctx?.links),
};
