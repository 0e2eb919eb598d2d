// Report stylesheet: light theme, system fonts, laid out for ~1400 px but fluid down to a laptop.
export const REPORT_CSS = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#ffffff; --panel:#f8fafc;
  --bad:#b91c1c; --bad-bg:#fef2f2; --ok:#15803d; --ok-bg:#f0fdf4; --warn:#9a3412; --warn-bg:#fff7ed; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 8px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre.sql { margin: 0; white-space: pre-wrap; word-break: break-word; max-width: 560px; }
a { color: #1d4ed8; }
.muted, .sub { color: var(--muted); }
.sub { font-size: 12px; margin-top: 2px; }
.meta { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px 24px; margin: 12px 0 0; }
.meta div { min-width: 0; }
.meta dt { color: var(--muted); font-size: 12px; }
.meta dd { margin: 0; font-weight: 500; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 700; letter-spacing: .02em; }
.verdict-pass, .status-ok { background: var(--ok-bg); color: var(--ok); border: 1px solid #86efac; }
.verdict-fail, .status-failed { background: var(--bad-bg); color: var(--bad); border: 1px solid #fca5a5; }
.verdict-inconsistent { background: var(--warn-bg); color: var(--warn); border: 1px solid #fdba74; }
.status-skipped { background: var(--panel); color: var(--muted); border: 1px solid var(--line); }
h1 .badge, h2 .badge { font-size: 14px; vertical-align: 2px; }
.bad { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); }
.warnnum { color: var(--warn); font-weight: 600; }
.note { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid #94a3b8; padding: 8px 12px; margin: 10px 0; }
.note.warn { background: var(--warn-bg); border-left-color: #ea580c; }
.note.alarm { background: var(--bad-bg); border-left-color: var(--bad); }
.note ul { margin: 4px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-size: 12px; color: #334155; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.num .sub { text-align: right; }
tr.step-row.step-failed > td { background: var(--bad-bg); }
tr.step-error td { background: var(--bad-bg); color: var(--bad); border-top: 0; }
tr.step-statements td { border-top: 0; padding-top: 0; }
table.statements { margin: 6px 0; background: #fff; }
table.statements td, table.statements th { font-size: 12.5px; }
details > summary { cursor: pointer; color: #334155; }
.flag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; margin-left: 4px; font-weight: 600; }
.bad-flag { background: var(--bad-bg); color: var(--bad); border: 1px solid #fca5a5; }
.warn-flag { background: var(--warn-bg); color: var(--warn); border: 1px solid #fdba74; }
.kv { display: inline-block; margin-right: 10px; white-space: nowrap; }
.kv-list { display: block; } .kv-list pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 11px; margin: 4px 0; max-width: 520px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: #fff; min-width: 0; }
.card-label { color: var(--muted); font-size: 12px; }
.card-value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .sub { overflow-wrap: anywhere; }
.bad-card { border-color: #fca5a5; background: var(--bad-bg); }
.bad-card .card-value { color: var(--bad); }
.warn-card { border-color: #fdba74; background: var(--warn-bg); }
.warn-card .card-value { color: var(--warn); }
.budgets { display: flex; gap: 18px; flex-wrap: wrap; align-items: baseline; margin: 4px 0 10px; }
.compare td, .compare th { font-size: 13.5px; }
.variant { margin-top: 8px; }
.variant-desc { color: #334155; margin: 0 0 6px; }
.charts { margin: 8px 0; }
.chart-help { color: #334155; font-size: 13px; margin: 4px 0 8px; }
.stall-text { color: var(--bad); font-weight: 600; }
figure.chart { margin: 0 0 10px; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px 2px; }
figure.chart figcaption { font-weight: 600; font-size: 13px; color: #334155; }
.chart-canvas { width: 100%; }
.band-legend { list-style: none; padding: 0; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }
.band-item.failed { color: var(--warn); }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(51,65,85,.35); }
.swatch.band-odd { background: rgba(37,99,235,0.18); }
.swatch.band-even { background: rgba(13,148,136,0.22); }
.swatch.band-failed { background: rgba(234,88,12,0.35); }
.swatch.stall { background: #dc2626; }
.swatch.band-warmup { background: rgba(100,116,139,0.35); }
.swatch.saturated { background: repeating-linear-gradient(135deg, rgba(71,85,105,0.7) 0 1px, #fff 1px 5px); }
.saturated-item { color: #334155; font-weight: 600; }
tr.warmup-row > td { background: var(--panel); color: #475569; }
.root-blocker + .root-blocker { margin-top: 4px; }
.stall-item { color: var(--bad); font-weight: 600; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12.5px; text-align: left; }
.u-legend .u-marker { width: 14px; height: 4px; }
table.lockwaits td:nth-child(-n+9) { white-space: nowrap; }
table.lockwaits td code { white-space: normal; }
.swatch.event { background: #9333ea; }
.event-item { color: #6b21a8; }
table.events td:first-child { white-space: nowrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
@media (max-width: 1100px) { .meta { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
td .source { font: 12px ui-monospace, monospace; color: #555; }
`;
