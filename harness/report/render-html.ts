// renderHtml: one self-contained HTML file per run. Assets (uPlot, chart script) are inlined at
// render time and a CSP forbids every fetch, so the report opens offline, from CI artifacts, forever.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { RunReport, VariantResult } from '../model/schema.ts';
import { escapeHtml as e, jsonForScript } from './html-escape.ts';
import { fmtCount, fmtDate, fmtDuration } from './format-units.ts';
import { measurementWarnings, reportWarnings, shownOverallVerdict, shownVerdict, variantWarnings } from './report-checks.ts';
import { harnessLagText, slowStartText, warmupText } from './measurement-text.ts';
import { buildChartModel, renderChartBlock, type VariantChart } from './html-chart.ts';
import { renderCards, renderComparison, renderHardening, renderLatencyCauses, renderLockWaits, renderProjection, renderRollback, renderStallCause, renderStalls, renderSteps, verdictBadge } from './html-tables.ts';
import { renderAppRoutes } from './html-app-routes.ts';
import { renderEvents, renderRunStatus } from './html-events.ts';
import { REPORT_CSS } from './html-style.ts';
import type { Renderer } from './renderers.ts';

interface Assets {
  uplotJs: string;
  uplotCss: string;
  chartJs: string;
}

let assets: Assets | undefined;

/** Read once per process; a closing tag inside an asset would end our inline block early, so refuse it. */
const loadAssets = (): Assets => {
  if (assets) return assets;
  const require = createRequire(import.meta.url);
  const read = (p: string, closing: RegExp): string => {
    const text = readFileSync(p, 'utf8');
    if (closing.test(text)) throw new Error(`cannot inline ${p}: it contains ${closing}`);
    return text;
  };
  assets = {
    uplotJs: read(require.resolve('uplot/dist/uPlot.iife.min.js'), /<\/script/i),
    uplotCss: read(require.resolve('uplot/dist/uPlot.min.css'), /<\/style/i),
    chartJs: read(fileURLToPath(new URL('./chart-client.js', import.meta.url)), /<\/script/i),
  };
  return assets;
};

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** "v" when every variant agrees, else "naive: a; safe: b" — differing environments must be visible. */
const perVariant = (vs: VariantResult[], pick: (v: VariantResult) => string): string => {
  const values = vs.map(pick);
  if (new Set(values).size <= 1) return values[0] ?? '—';
  return vs.map((v, i) => `${v.variant}: ${values[i]}`).join('; ');
};

const loadText = (v: VariantResult): string => {
  const l = v.load;
  if (!l) return '—';
  const base =
    l.model === 'open'
      ? `open model, ${fmtCount(l.rate)} req/s` +
        (l.capacityRps ? ` (${Math.round(((l.rate ?? 0) / l.capacityRps) * 100)}% of measured capacity ${fmtCount(l.capacityRps)} req/s)` : ' (capacity not probed)')
      : `closed model, ${fmtCount(l.connections)} connections` + (l.capacityRps ? ` (capacity ${fmtCount(l.capacityRps)} req/s)` : '');
  return `${base}, ${l.instances} app instance${l.instances === 1 ? '' : 's'}, ${slowStartText(v)}, timeout ${fmtCount(l.timeoutMs)} ms; ${harnessLagText(v)}`;
};

const mixText = (v: VariantResult): string => {
  const entries = Object.entries(v.load?.mix ?? {});
  const total = entries.reduce((a, [, w]) => a + w, 0);
  return entries.map(([route, w]) => `${route} ${total > 0 ? Math.round((w / total) * 100) : 0}%`).join(', ') || '—';
};

/** The largest tables first: "users 1,000,000, orders 3,001,234 (+3 more tables)". */
const tablesText = (tables: Record<string, number>, shown = 4): string => {
  const sorted = Object.entries(tables).sort((a, b) => b[1] - a[1]);
  const head = sorted.slice(0, shown).map(([t, n]) => `${t} ${fmtCount(n)}`).join(', ');
  return sorted.length > shown ? `${head} (+${sorted.length - shown} more tables)` : head || 'no tables';
};

const ms = (v: number | null): string => (v === null ? 'none' : `${fmtCount(v)} ms`);
const appText = (v: VariantResult): string =>
  v.app ? `${v.app.name}, pool ${v.app.settings.poolSize} per instance, statement_timeout ${ms(v.app.settings.statementTimeoutMs)}, lock_timeout ${ms(v.app.settings.lockTimeoutMs)}` : '—';

const meta = (label: string, value: string): string => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`;

const renderHeader = (r: RunReport): string => {
  const vs = r.variants;
  const warnings = reportWarnings(r);
  return `<header>
<h1>rehearse · ${e(r.scenario)} ${verdictBadge(shownOverallVerdict(r))}</h1>
<dl class="meta">
${meta('run id', r.runId)}
${meta('started', fmtDate(r.startedAt))}
${meta('total duration', fmtDuration(r.durationMs))}
${meta('variants', vs.map((v) => v.variant).join(', ') || '—')}
${meta('postgres', perVariant(vs, (v) => `${v.postgres.version} (${v.postgres.provider})`))}
${meta('dataset', perVariant(vs, (v) => `${v.dataset.description}: ${tablesText(v.dataset.tables)}, seed ${v.dataset.seed}`))}
${meta('app', perVariant(vs, appText))}
${meta('load', perVariant(vs, loadText))}
${meta('route mix', perVariant(vs, mixText))}
${meta('warm-up', perVariant(vs, (v) => (v.warmup ? `${v.warmup.mode}${v.warmup.mode === 'auto' ? `: until p99 is steady for ${v.warmup.criteria.windowSeconds} s (within ${v.warmup.criteria.maxRatio}× or ${v.warmup.criteria.slackMs} ms), at most ${Math.round(v.warmup.criteria.capMs / 1000)} s` : ''}` : 'not recorded')))}
${r.seed ? meta('seeding', `${fmtCount(Object.values(r.seed.tables).reduce((a, b) => a + b, 0))} rows in ${r.seed.seconds.toFixed(1)} s, ${fmtCount(r.seed.rowsPerSec)} rows/s${r.seed.reused ? ' (reused)' : ''}`) : ''}
${(r.seed?.notes ?? []).map((n) => meta('seeding note', n)).join('\n')}
${r.calibration ? meta('calibration', `${r.calibration.ok ? '' : 'WARNING: '}${r.calibration.summary}`) : ''}
${meta('tool', `${r.tool.name} ${r.tool.version}, schema v${r.schemaVersion}`)}
</dl>
${renderRunStatus(r)}
${warnings.length ? `<div class="note alarm"><b>This report is inconsistent:</b><ul>${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>` : ''}
</header>`;
};

const renderVariant = (v: VariantResult, i: number, chart: VariantChart | null): string => {
  const warnings = variantWarnings(v);
  const failed = (v.steps ?? []).find((s) => s.status === 'failed');
  return `<section class="variant" id="v${i}">
<h2>Variant: ${e(v.variant)} ${verdictBadge(shownVerdict(v))}</h2>
<p class="variant-desc">${e(v.description)} <span class="muted">Started ${e(fmtDate(v.startedAt))}, ran ${e(fmtDuration(v.durationMs))}.</span></p>
${warnings.length ? `<div class="note alarm"><b>Inconsistent data, shown as the worse value:</b><ul>${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>` : ''}
${v.interrupted ? '<div class="note alarm">This variant was stopped before its last step: its figures cover only what ran.</div>' : ''}
${failed ? `<div class="note alarm"><b>Step ${e(failed.name)} failed:</b> ${e(failed.error?.sqlstate ? `SQLSTATE ${failed.error.sqlstate} · ` : '')}${e(failed.error?.message ?? 'no error message recorded')}</div>` : ''}
${measurementWarnings(v).length ? `<div class="note warn measurement-warnings"><b>Less about the migration than it looks:</b><ul>${measurementWarnings(v).map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>` : ''}
<p class="warmup-line"><b>Warm-up:</b> ${e(warmupText(v))}.</p>
${(v.notMeasured ?? []).length ? `<div class="note warn not-measured"><b>Not measured in this run:</b><ul>${v.notMeasured.map((x) => `<li>${e(x)}</li>`).join('')}</ul></div>` : ''}
${renderCards(v)}
${renderStallCause(v)}
${renderChartBlock(v, chart)}
${renderSteps(v)}
${renderEvents(v)}
${renderRollback(v)}
${renderHardening(v)}
${renderStalls(v)}
${renderLatencyCauses(v)}
${renderLockWaits(v)}
${renderAppRoutes(v)}
</section>`;
};

export const renderHtml = (report: RunReport): string => {
  const a = loadAssets();
  const model = buildChartModel(report);
  const variants = report.variants ?? [];
  const body = [
    renderHeader(report),
    variants.length > 1 ? renderComparison(report) : '',
    renderProjection(report.projection),
    variants.length ? variants.map((v, i) => renderVariant(v, i, model.variants[i])).join('\n') : '<p class="note warn">This report contains no variant results.</p>',
  ].join('\n');
  // Only our two scripts may run (by hash); nothing may be fetched. Styles are inline, images none.
  // Inserted unescaped (readable, greppable); it is built only from constants and base64 hashes.
  const csp = `default-src 'none'; script-src ${sha256(a.uplotJs)} ${sha256(a.chartJs)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rehearse · ${e(report.scenario)} · ${e(shownOverallVerdict(report))} · ${e(report.runId)}</title>
<style>${a.uplotCss}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
<footer>Generated by ${e(report.tool.name)} ${e(report.tool.version)}. Times are seconds since the run started; dates are UTC.
The complete run report (schema v${e(report.schemaVersion)}) is embedded in this file as JSON in <code>script#rehearse-report</code>.</footer>
</main>
<script type="application/json" id="rehearse-report">${jsonForScript(report)}</script>
<script type="application/json" id="rehearse-charts">${jsonForScript(model)}</script>
<script>${a.uplotJs}</script>
<script>${a.chartJs}</script>
</body>
</html>
`;
};

export const htmlRenderer: Renderer = { runFile: 'report.html', render: renderHtml };
