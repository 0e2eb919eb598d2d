// The compact summary printed at the end of a CLI run. It reads the same figures as the HTML (via
// format-units and report-checks), so the terminal and the report can never disagree about a stall.
import { stallCauseText } from './cause-text.ts';
import { withinBudget } from '../model/budgets.ts';
import { holdsAccessExclusive } from '../model/locks.ts';
import type { LockWaitEvent, RunReport, StatementTrace, StepResult, VariantResult } from '../model/schema.ts';
import type { Renderer } from './renderers.ts';
import { describeCheck, fmtCount, fmtDuration, fmtMs, fmtPct, oneLine, topSqlstates } from './format-units.ts';
import { baselineWarnings, longestStall, measurementWarnings, reportWarnings, retriesOf, runCheck, shownOverallVerdict, shownVerdict, variantWarnings, type ShownVerdict } from './report-checks.ts';
import { cpuText, harnessLagText, slowStartText, warmupText } from './measurement-text.ts';

export interface ConsoleOptions {
  /** ANSI colours; defaults to on for a TTY unless NO_COLOR is set. */
  color?: boolean;
}

type Paint = (code: string, text: string) => string;

const painter = (on: boolean): Paint => (code, text) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

const verdictText = (v: ShownVerdict, paint: Paint): string =>
  v === 'pass' ? paint('1;32', 'PASS') : v === 'fail' ? paint('1;31', 'FAIL') : paint('1;33', 'INCONSISTENT');

const label = (text: string): string => `  ${text.padEnd(17)}`;

const stepLine = (s: StepResult, nameWidth: number, paint: Paint): string[] => {
  const status = s.status === 'failed' ? paint('31', 'failed ') : s.status === 'skipped' ? 'skipped' : 'ok     ';
  const p99 = s.traffic ? `p99 ${fmtMs(s.traffic.p99Ms)}` : 'p99 not measured';
  const saturated = s.saturatedSeconds ? paint('33', `CPU saturated ${s.saturatedSeconds} s`) : '';
  const rewrites = [...new Set((s.statements ?? []).filter((st) => st.rewrote).flatMap((st) => st.rewrittenRelations ?? []))];
  const rewrote = (s.statements ?? []).some((st) => st.rewrote) ? paint('31', `REWROTE ${rewrites.join(', ') || '(relations unknown)'}`) : '';
  const { retries, maxAttempts } = retriesOf(s.statements ?? []);
  const retried = retries ? `${retries} lock-timeout ${retries === 1 ? 'retry' : 'retries'} (up to ${maxAttempts} attempts)` : '';
  const parts = [`    ${status} ${s.name.padEnd(nameWidth)}`, fmtDuration(s.durationMs).padStart(9), `  ${p99.padEnd(16)}`, saturated, rewrote, retried];
  const lines = [parts.join(' ').trimEnd()];
  if (s.error) {
    const code = [s.error.code, s.error.sqlstate ? `SQLSTATE ${s.error.sqlstate}` : ''].filter(Boolean).join(' ');
    lines.push(paint('31', `        error${code ? ` ${code}` : ''}: ${oneLine(s.error.message, 160)}`));
  }
  for (const st of (s.statements ?? []).filter(notable)) lines.push(statementLine(st, paint));
  for (const b of (s.budgets ?? []).filter((c) => !c.ok)) lines.push(paint('31', `        budget FAIL ${describeCheck(b)}`));
  return lines;
};

/** Statements worth a line under their step: failed, rewrote a table, waited, or took ACCESS EXCLUSIVE. */
const notable = (st: StatementTrace): boolean =>
  st.status === 'failed' || st.rewrote || st.lockWaitMs >= 50 || holdsAccessExclusive(st);

const statementLine = (st: StatementTrace, paint: Paint): string => {
  const where = st.source ? `${st.source.file}:${st.source.line} ` : '';
  const facts = [
    fmtDuration(st.durationMs),
    st.lockWaitMs > 0 ? `lock wait ${fmtMs(st.lockWaitMs)}` : '',
    holdsAccessExclusive(st) ? 'ACCESS EXCLUSIVE' : '',
    st.rewrote ? paint('31', 'rewrote') : '',
    st.status === 'failed' ? paint('31', 'failed') : '',
  ].filter(Boolean);
  return `        ${where}${oneLine(st.sql, 70)}  (${facts.join(', ')})`;
};

const variantBlock = (v: VariantResult, paint: Paint): string[] => {
  const s = v.summary;
  const { ms, stall } = longestStall(v);
  const stallBudget = runCheck(v, 'longestStallMs');
  const stallBad = stallBudget ? !stallBudget.ok || !withinBudget(ms, stallBudget.limit) : ms > 0;
  const where = stall
    ? `  route ${stall.route} · step ${stall.step ?? 'none'}${stall.statement ? ` · ${oneLine(stall.statement, 80)}` : ''}`
    : ms > 0
      ? '  (route unknown)'
      : '';
  const top = topSqlstates(s.errorsBySqlstate ?? {});
  const errBudget = runCheck(v, 'errorRate');
  const errBad = errBudget ? !errBudget.ok || !withinBudget(s.errorRate, errBudget.limit) : s.errorRate > 0;
  const lines = [
    `${paint('1', v.variant)} — ${verdictText(shownVerdict(v), paint)}${s.completed ? '' : paint('31', `  (did not complete${s.failedStep ? `: step ${s.failedStep} failed` : ''})`)}`,
    `${label('longest stall')}${stallBad ? paint('31', fmtMs(ms)) : fmtMs(ms)}${where}`,
    ...(stall && ms > 0 && stall.cause !== undefined ? [`${label('why')}${stallCauseText(stall)}`] : []),
    `${label('max latency')}${fmtMs(s.maxLatencyMs)}`,
    `${label('error rate')}${errBad ? paint('31', fmtPct(s.errorRate)) : fmtPct(s.errorRate)} of ${fmtCount(s.requests)} requests${top.length ? `  top SQLSTATE ${top.join(', ')}` : ''}`,
    `${label('max lock waiters')}${fmtCount(s.maxLockWaiters)}`,
    ...rootBlockerLines(v),
  ];
  if (v.load) lines.push(`${label('load')}${v.load.model === 'open' ? `${fmtCount(v.load.rate)} req/s (open model)` : `${fmtCount(v.load.connections)} connections (closed model)`}, ${v.load.instances} instances, ${slowStartText(v)}; ${harnessLagText(v)}`);
  if (v.warmup) lines.push(`${label('warm-up')}${warmupText(v)}`);
  if (v.cpu) lines.push(`${label('cpu')}${cpuText(v)}`);
  if (v.hardening) lines.push(`${label('hardened')}from ${v.hardening.from}: ${v.hardening.rewrites.length} rewrite${v.hardening.rewrites.length === 1 ? '' : 's'} (${[...new Set(v.hardening.rewrites.map((w) => (w.pattern === 'none' ? 'no safe rewrite' : w.pattern)))].join(', ') || 'none'})`);
  if (v.rollback) {
    const r = v.rollback;
    lines.push(`${label('rollback')}${r.healthy ? 'old code healthy again' : paint('31', 'old code NOT healthy')} after undoing up to ${r.lastReversibleStep}; rollback's longest stall ${fmtMs(r.longestStallMs)}${r.longestStallStep ? ` (${r.longestStallStep})` : ''}`);
    for (const p of r.problems) lines.push(paint('31', `${label('')}${p}`));
  }
  // One budget per line: each says its value, limit and where the worst of it happened.
  (s.budgets ?? []).forEach((b, i) => lines.push(`${i === 0 ? label('budgets') : label('')}${b.ok ? 'ok' : paint('31', 'FAIL')} ${describeCheck(b)}`));
  if (s.aborted) lines.push(paint('31', `${label('aborted')}${s.aborted.budget} breached at ${(s.aborted.atMs / 1000).toFixed(1)} s${s.aborted.step ? ` during step ${s.aborted.step}` : ''}: the migration was stopped (abortOnFail); load and observer kept recording`));
  const steps = v.steps ?? [];
  if (steps.length) {
    lines.push('  steps');
    const width = Math.min(32, Math.max(...steps.map((st) => st.name.length)));
    for (const st of steps) lines.push(...stepLine(st, width, paint));
  } else {
    lines.push('  steps            none ran');
  }
  for (const ev of [...(v.events ?? [])].sort((a, b) => a.atMs - b.atMs)) {
    const im = ev.impact;
    const after = im ? `  → ${fmtCount(im.errors)} errors${topSqlstates(im.errorsBySqlstate).length ? ` (${topSqlstates(im.errorsBySqlstate).join(', ')})` : ''}, longest stall ${fmtMs(im.longestStallMs)}${im.step ? `; step ${im.step} ${im.stepStatus}` : ''}` : '';
    lines.push(`  event ${(ev.atMs / 1000).toFixed(1)} s  ${ev.label}${after}`);
  }
  for (const note of v.notMeasured ?? []) lines.push(`  not measured: ${note}`);
  for (const w of [...measurementWarnings(v), ...variantWarnings(v)]) lines.push(paint('33', `  warning: ${w}`));
  return lines;
};

export const formatConsoleSummary = (report: RunReport, opts: ConsoleOptions = {}): string => {
  const color = opts.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const paint = painter(color);
  const lines = [`rehearse · ${report.scenario} · run ${report.runId} · ${verdictText(shownOverallVerdict(report), paint)}`];
  if (report.status && report.status !== 'completed') {
    lines.push(paint('31', `${report.status === 'interrupted' ? 'INTERRUPTED' : 'STOPPED ON AN ERROR'}${report.stoppedDuring ? ` during ${report.stoppedDuring}` : ''}: the figures below cover only what ran`));
  }
  for (const w of [...reportWarnings(report), ...baselineWarnings(report)]) lines.push(paint('33', `warning: ${w}`));
  if (report.calibration) lines.push(`calibration: ${report.calibration.ok ? '' : paint('33', 'WARNING ')}${report.calibration.summary}`);
  if (!report.variants.length) lines.push('', 'no variant results in this report');
  for (const v of report.variants) lines.push('', ...variantBlock(v, paint));
  if (report.projection) {
    lines.push('', paint('1', `projection (${report.projection.scales.join(', ')})`));
    for (const s of report.projection.statements) lines.push(`  ${s.source ? `${s.source.file}:${s.source.line} ` : ''}${s.summary}`);
    for (const n of report.projection.notes) lines.push(`  note: ${n}`);
  }
  return `${lines.join('\n')}\n`;
};

export const consoleRenderer: Renderer = {
  render: (report) => formatConsoleSummary(report),
  renderMany: (reports) => reports.map((r) => formatConsoleSummary(r)).join('\n'),
};

/** The session at the root of the app's lock waits (the one that held up most waits), when one was seen. */
function rootBlockerLines(v: VariantResult): string[] {
  const count = new Map<number, { n: number; b: NonNullable<LockWaitEvent['rootBlockers']>[number] }>();
  for (const w of v.lockWaits ?? []) {
    const b = w.rootBlockers?.[0];
    if (b) count.set(b.pid, { n: (count.get(b.pid)?.n ?? 0) + 1, b });
  }
  const top = [...count.values()].sort((a, b) => b.n - a.n)[0];
  if (!top) return [];
  const b = top.b;
  return [`${label('root blocker')}${b.application || `pid ${b.pid}`} (${b.state ?? 'gone'}${b.xactAgeMs !== null ? `, transaction ${fmtMs(b.xactAgeMs)} old` : ''}) at the root of ${top.n} lock wait${top.n === 1 ? '' : 's'}: ${oneLine(b.query, 80)}`];
}
