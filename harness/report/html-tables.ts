// Tables of the HTML report. Every value is escaped here; numbers exceeding a budget get class "bad".
import { routeCauseShares, stallCauseText } from './cause-text.ts';
import { holdsAccessExclusive } from '../model/locks.ts';
import type { Fit, Projection } from '../model/projection.ts';
import type { BudgetCheck, LockWaitEvent, RunReport, Stall, StatementTrace, StepResult, VariantResult } from '../model/schema.ts';
import { withinBudget } from '../model/budgets.ts';
import { escapeHtml as e } from './html-escape.ts';
import { NOT_MEASURED, fmtAt, fmtBudgetValue, fmtScope, fmtCount, fmtDuration, fmtMs, fmtPct, oneLine, topSqlstates } from './format-units.ts';
import { baselineWarnings, longestStall, retriesOf, runCheck, shownVerdict, type ShownVerdict } from './report-checks.ts';
import { cpuBrief } from './measurement-text.ts';

const budget = (v: VariantResult, legacyName: 'maxStallMs' | 'maxErrorRate'): BudgetCheck | undefined => runCheck(v, legacyName === 'maxStallMs' ? 'longestStallMs' : 'errorRate');

/** A budgeted number: red when its check failed (or when it exceeds the limit despite the check). */
const budgeted = (text: string, check: BudgetCheck | undefined, actual: number): string => {
  const bad = check ? !check.ok || !withinBudget(actual, check.limit) : false;
  const limit = check ? ` <span class="muted">(limit ${e(fmtBudgetValue(check.name, check.limit))})</span>` : '';
  return `<span class="${bad ? 'bad' : ''}">${e(text)}${bad ? ' ✗' : ''}</span>${limit}`;
};

export const verdictBadge = (verdict: ShownVerdict): string =>
  `<span class="badge verdict-${verdict}">${verdict === 'inconsistent' ? 'INCONSISTENT' : verdict.toUpperCase()}</span>`;

const statusBadge = (status: string): string => `<span class="badge status-${e(status)}">${e(status)}</span>`;

const stallWhere = (s: Stall | null, sqlChars = 70): string =>
  s
    ? `route <b>${e(s.route)}</b>, step <b>${e(s.step ?? 'none')}</b>${s.statement ? `, <code title="${e(s.statement)}">${e(oneLine(s.statement, sqlChars))}</code>` : ''}`
    : '';

const stallCell = (v: VariantResult): string => {
  const { ms, stall } = longestStall(v);
  const main = budgeted(fmtMs(ms), budget(v, 'maxStallMs'), ms);
  return `${main}${stall ? `<div class="sub">${stallWhere(stall)}</div>` : ''}`;
};

const budgetsCell = (v: VariantResult): string =>
  (v.summary.budgets ?? [])
    .map(
      (b) =>
        `<div class="${b.ok ? 'ok' : 'bad'}">${b.ok ? '✓' : '✗'} ${e(b.name)}: ${e(fmtBudgetValue(b.name, b.actual))} ${b.actual === null ? '' : b.ok ? '≤' : '>'} ${e(fmtBudgetValue(b.name, b.limit))}${b.where ? ` <span class="muted">(${e(fmtScope(b.where))})</span>` : ''}${b.abortOnFail ? ' <span class="muted">abortOnFail</span>' : ''}</div>`,
    )
    .join('') || `<span class="muted">no budgets</span>`;

const lockWaitersCell = (n: number, bad: boolean): string => `<span class="${bad ? 'warnnum' : ''}">${fmtCount(n)}</span>`;

/** Steady-state rate and p99 of a variant: the baseline every comparison stands on. */
const steadyCell = (v: VariantResult): string => {
  const ss = v.steadyState;
  if (!ss) return `<span class="muted">${v.warmup?.mode === 'off' ? 'warm-up off' : NOT_MEASURED}</span>`;
  return `p99 ${e(fmtMs(ss.p99Ms))}<div class="sub">${e(fmtCount(ss.requestsPerSec))} req/s${ss.settled ? '' : ' · <span class="warnnum">not steady</span>'}</div>`;
};

/** A version matrix reads side by side: each variant's versions in adjacent rows, with a Postgres column. */
const byVariantThenServer = (r: RunReport): { v: VariantResult; i: number }[] => {
  const rows = r.variants.map((v, i) => ({ v, i }));
  if (!r.variants.some((v) => v.server)) return rows;
  const order = [...new Set(r.variants.map((v) => v.server?.variant ?? v.variant))];
  return rows.sort((a, b) => order.indexOf(a.v.server?.variant ?? a.v.variant) - order.indexOf(b.v.server?.variant ?? b.v.variant) || a.i - b.i);
};

export const renderComparison = (r: RunReport): string => {
  const unreliable = baselineWarnings(r);
  const matrix = r.variants.some((v) => v.server);
  const rows = byVariantThenServer(r)
    .map(
      ({ v, i }) => `<tr>
<th scope="row"><a href="#v${i}">${e(v.variant)}</a></th>${matrix ? `\n<td>${e(v.postgres.version)}</td>` : ''}
<td>${verdictBadge(shownVerdict(v))}${v.summary.completed ? '' : ' <span class="bad">incomplete</span>'}</td>
<td class="num">${steadyCell(v)}</td>
<td>${stallCell(v)}</td>
<td class="num">${fmtMs(v.summary.maxLatencyMs)}</td>
<td class="num">${budgeted(fmtPct(v.summary.errorRate), budget(v, 'maxErrorRate'), v.summary.errorRate)}</td>
<td class="num">${lockWaitersCell(v.summary.maxLockWaiters, v.summary.maxLockWaiters > 0)}</td>
<td class="num">${fmtDuration(v.durationMs)}</td>
<td>${budgetsCell(v)}</td>
</tr>`,
    )
    .join('');
  const note = unreliable.length
    ? `<div class="note ${r.baselines?.comparable === false ? 'alarm' : 'warn'} baseline-check"><b>${r.baselines?.comparable === false ? 'This comparison is unreliable.' : 'Baselines not checked.'}</b> ${unreliable.map((w) => e(w)).join(' ')}</div>`
    : '';
  return `<section id="compare"><h2>Variants compared</h2>
${note}
<table class="compare"><thead><tr><th>variant</th>${matrix ? '<th>Postgres</th>' : ''}<th>verdict</th><th class="num">steady state</th><th>longest stall</th><th class="num">max latency</th><th class="num">error rate</th><th class="num">max lock waiters</th><th class="num">duration</th><th>budget checks</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
};

const card = (label: string, value: string, cls = '', sub = ''): string =>
  `<div class="card ${cls}"><div class="card-label">${e(label)}</div><div class="card-value">${value}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;

export const renderCards = (v: VariantResult): string => {
  const s = v.summary;
  const { ms, stall } = longestStall(v);
  const stallCheck = budget(v, 'maxStallMs');
  const errCheck = budget(v, 'maxErrorRate');
  const stallBad = stallCheck ? !stallCheck.ok || !withinBudget(ms, stallCheck.limit) : ms > 0;
  const errBad = errCheck ? !errCheck.ok || !withinBudget(s.errorRate, errCheck.limit) : s.errorRate > 0;
  const top = topSqlstates(s.errorsBySqlstate ?? {}, 5);
  return `<div class="cards">
${card('verdict', verdictBadge(shownVerdict(v)), '', s.completed ? 'migration completed' : `<span class="bad">did not complete${s.failedStep ? `: step ${e(s.failedStep)} failed` : ''}</span>`)}
${card('longest stall', e(fmtMs(ms)), stallBad ? 'bad-card' : '', stall ? stallWhere(stall, 44) : ms > 0 ? 'route unknown' : 'no stall detected')}
${card('max latency', e(fmtMs(s.maxLatencyMs)))}
${card('error rate', e(fmtPct(s.errorRate)), errBad ? 'bad-card' : '', top.length ? `SQLSTATE ${e(top.join(', '))}` : 'no SQLSTATE errors')}
${card('max lock waiters', e(fmtCount(s.maxLockWaiters)), s.maxLockWaiters > 0 ? 'warn-card' : '')}
${card('requests', e(fmtCount(s.requests)), '', `run duration ${e(fmtDuration(v.durationMs))}${v.warmup && v.warmup.durationMs > 0 ? `, after ${e(fmtDuration(v.warmup.durationMs))} of warm-up` : ''}`)}
${card('steady state p99', v.steadyState ? e(fmtMs(v.steadyState.p99Ms)) : NOT_MEASURED, v.steadyState && !v.steadyState.settled ? 'warn-card' : '', v.steadyState ? `${e(fmtCount(v.steadyState.requestsPerSec))} req/s before the first step${v.steadyState.settled ? '' : ', not steady'}` : 'no warm-up')}
${v.cpu ? card('CPU saturated', e(`${v.cpu.saturatedSeconds.filter((t) => t + 1 > (v.warmup?.endMs ?? 0) / 1000).length} s`), (v.cpu.steadyState?.saturatedSeconds ?? 0) > 0 ? 'warn-card' : '', e(cpuBrief(v))) : ''}
</div>
<div class="budgets"><b>Budget checks</b> ${budgetsCell(v)}</div>`;
};

const fmtDetail = (value: unknown): string => {
  // Keep 4 significant digits on fractions so small non-zero values do not print as 0.
  if (typeof value === 'number') return Number.isInteger(value) ? fmtCount(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
};

// Scalars inline; lists and objects (e.g. a deploy's instance events) fold away, one per line,
// so a long list never widens the table.
const detailValue = (k: string, val: unknown): string => {
  if (Array.isArray(val) && val.length > 0 && typeof val[0] === 'object') {
    return `<details class="kv-list"><summary>${e(k)}: <b>${val.length}</b></summary><pre>${val.map((x) => e(JSON.stringify(x))).join('\n')}</pre></details>`;
  }
  return `<span class="kv">${e(k)}: <b>${e(fmtDetail(val))}</b></span>`;
};

const detailsCell = (d: StepResult['details']): string =>
  d && Object.keys(d).length ? Object.entries(d).map(([k, val]) => detailValue(k, val)).join(' ') : '';

const errorText = (err: { code?: string; sqlstate?: string; message: string } | undefined): string =>
  err ? [err.code, err.sqlstate ? `SQLSTATE ${err.sqlstate}` : '', err.message].filter(Boolean).join(' · ') : '';

const attemptsCell = (st: StatementTrace): string =>
  (st.attempts ?? [])
    .map(
      (a) =>
        `<div class="${a.error ? 'bad' : ''}">#${a.attempt} at ${e(fmtAt(a.startMs))}: ${e(fmtDuration(a.durationMs))}, lock wait ${e(fmtMs(a.lockWaitMs))}${
          a.error ? ` — failed ${e(a.error.sqlstate ?? '')} ${e(a.error.message)}` : ' — ok'
        }</div>`,
    )
    .join('');

const sourceText = (st: StatementTrace): string => (st.source ? `${st.source.file}:${st.source.line}` : '');

const statementRow = (st: StatementTrace): string => `<tr>
<td>${st.source ? `<div class="source">${e(sourceText(st))}</div>` : ''}<pre class="sql">${e(st.sql)}</pre>${st.error ? `<div class="bad">${e(errorText(st.error))}</div>` : ''}</td>
<td>${statusBadge(st.status)}</td>
<td class="num">${e(fmtDuration(st.durationMs))}</td>
<td class="num">${e(fmtMs(st.lockWaitMs))}</td>
<td>${(st.locks ?? []).map((l) => {
  const created = l.relation !== null && (st.createdRelations ?? []).includes(l.relation);
  return `<div class="${l.mode === 'AccessExclusiveLock' && !created ? 'warnnum' : ''}">${e(l.mode)} on ${e(l.relation ?? `(${l.locktype})`)}${created ? ' <span class="muted">(created by this migration: blocks nobody)</span>' : ''}</div>`;
}).join('') || NOT_MEASURED}</td>
<td>${st.rewrote ? `<span class="bad">yes</span>: ${e((st.rewrittenRelations ?? []).join(', '))}` : 'no'}${st.scannedRows && Object.keys(st.scannedRows).length ? `<div class="sub">scanned ${e(Object.entries(st.scannedRows).map(([t, n]) => `${fmtCount(n)} rows of ${t}`).join(', '))}</div>` : ''}</td>
<td>${attemptsCell(st)}</td>
</tr>`;

/** Badges next to the statement count, so rewrites, exclusive locks and retries show without expanding. */
const statementFlags = (sts: StatementTrace[]): string => {
  const flags: string[] = [];
  const rewrites = sts.filter((s) => s.rewrote).length;
  if (rewrites) flags.push(`<span class="flag bad-flag">rewrite ×${rewrites}</span>`);
  if (sts.some(holdsAccessExclusive)) flags.push('<span class="flag warn-flag">AccessExclusiveLock</span>');
  const { retries, maxAttempts } = retriesOf(sts);
  if (retries) flags.push(`<span class="flag warn-flag">${retries} ${retries === 1 ? 'retry' : 'retries'} (up to ${maxAttempts} attempts)</span>`);
  if (sts.some((s) => s.status === 'failed')) flags.push('<span class="flag bad-flag">failed statement</span>');
  return flags.join(' ');
};

const statementsBlock = (step: StepResult): string => {
  const sts = step.statements ?? [];
  if (!sts.length) return '';
  // Open when a statement failed or rewrote a table, so the cause is not hidden behind a click
  // (a failed step's own error is already shown in its row; 40 ok batches need not be).
  const open = sts.some((s) => s.status === 'failed' || s.rewrote);
  return `<details${open ? ' open' : ''}><summary>${sts.length} statement${sts.length === 1 ? '' : 's'} ${statementFlags(sts)}</summary>
<table class="statements"><thead><tr><th>sql</th><th>status</th><th class="num">duration</th><th class="num">lock wait</th><th>locks held</th><th>rewrote / scanned</th><th>attempts</th></tr></thead>
<tbody>${sts.map(statementRow).join('')}</tbody></table></details>`;
};

const trafficCells = (step: Pick<StepResult, 'traffic' | 'saturatedSeconds' | 'errorsBySqlstate'>): string => {
  const t = step.traffic;
  if (!t) return `<td class="num muted" colspan="4">not measured</td>`;
  const errs = t.non2xx + t.errors + t.timeouts;
  // Latency in saturated seconds is the machine's: say so next to the number.
  const saturated = step.saturatedSeconds ? `<div class="sub warnnum" title="the machine's CPU was saturated: latency there is about this machine, not the migration">CPU saturated ${step.saturatedSeconds} s</div>` : '';
  return `<td class="num">${fmtCount(t.requests)}</td><td class="num">${fmtMs(t.p99Ms)}${saturated}</td><td class="num">${fmtMs(t.maxMs)}</td>
<td class="num${errs > 0 ? ' bad' : ''}">${fmtCount(errs)}${errs > 0 ? ` <span class="sub">(${fmtPct(t.errorRate)})</span>` : ''}${t.unfinished > 0 ? `<div class="bad">${fmtCount(t.unfinished)} unfinished</div>` : ''}${step.errorsBySqlstate ? `<div class="sub">SQLSTATE ${e(Object.entries(step.errorsBySqlstate).map(([k, n]) => `${k} ×${fmtCount(n)}`).join(', '))}</div>` : ''}</td>`;
};

/** The run's budgets checked on one step: the longest stall of the step against the stall budget, … */
const stepBudgetsCell = (s: StepResult): string =>
  (s.budgets ?? []).map((b) => `<span class="${b.ok ? 'ok' : 'bad'}">${b.ok ? '✓' : '✗'} ${e(b.name)}: ${e(fmtBudgetValue(b.name, b.actual))} ${b.ok ? '≤' : '>'} ${e(fmtBudgetValue(b.name, b.limit))}</span>`).join(' ');

export const renderSteps = (v: VariantResult): string => {
  const steps = v.steps ?? [];
  if (!steps.length) return `<h3>Steps</h3><p class="note">No steps ran in this variant.</p>`;
  const rows = steps
    .map(
      (s, i) => `<tr class="step-row step-${e(s.status)}">
<td class="num">${i + 1}</td><td><b>${e(s.name)}</b>${s.phase === 'rollback' ? ' <span class="flag warn-flag">rollback</span>' : ''}</td><td>${e(s.kind)}</td><td>${statusBadge(s.status)}</td>
<td class="num">${e(fmtDuration(s.durationMs))}<div class="sub">${e(fmtAt(s.startMs))}–${e(fmtAt(s.endMs))}</div></td>
${trafficCells(s)}
<td class="num">${s.maxLockWaiters === undefined ? NOT_MEASURED : lockWaitersCell(s.maxLockWaiters, s.maxLockWaiters > 0)}</td>
<td>${detailsCell(s.details)}</td>
</tr>
${s.error ? `<tr class="step-error"><td></td><td colspan="10"><b>Step failed:</b> ${e(errorText(s.error))}</td></tr>` : ''}
${(s.budgets ?? []).length ? `<tr class="step-budgets"><td></td><td colspan="10"><div class="budgets"><b>Budgets in this step</b> ${stepBudgetsCell(s)}</div></td></tr>` : ''}
${(s.statements ?? []).length ? `<tr class="step-statements"><td></td><td colspan="10">${statementsBlock(s)}</td></tr>` : ''}`,
    )
    .join('');
  const w = v.warmup;
  const warmupRow = w && w.mode !== 'off' && w.durationMs > 0
    ? `<tr class="warmup-row"><td class="num">–</td><td><b>warm-up</b></td><td>${e(w.mode)}</td><td><span class="badge status-skipped">not counted</span></td>
<td class="num">${e(fmtDuration(w.durationMs))}<div class="sub">${e(fmtAt(w.startMs))}–${e(fmtAt(w.endMs))}</div></td>
${trafficCells({ traffic: w.traffic ?? undefined })}<td class="num">${NOT_MEASURED}</td>
<td><span class="kv">${w.settled ? 'steady' : '<span class="warnnum">not steady</span>'}</span>${w.longestStallMs ? ` <span class="kv">longest stall: <b>${e(fmtMs(w.longestStallMs))}</b></span>` : ''} <span class="muted">Requests scheduled here count in no step, summary or budget.</span></td></tr>`
    : '';
  return `<h3>Steps</h3>
<table class="steps"><thead><tr><th class="num">#</th><th>step</th><th>kind</th><th>status</th><th class="num">duration</th><th class="num">requests</th><th class="num">p99</th><th class="num">max</th><th class="num">errors</th><th class="num">max lock waiters</th><th>details</th></tr></thead>
<tbody>${warmupRow}${rows}</tbody></table>`;
};

export const renderStalls = (v: VariantResult): string => {
  const stalls = [...(v.stalls ?? [])].sort((a, b) => a.startMs - b.startMs);
  if (!stalls.length) return `<h3>Stalls</h3><p class="note">No stalls detected.</p>`;
  const rows = stalls
    .map(
      (s) => `<tr><td>${e(s.route)}</td><td class="num">${e(fmtAt(s.startMs))}</td><td class="num">${e(fmtAt(s.endMs))}</td>
<td class="num bad">${e(fmtMs(s.durationMs))}${s.beganInWarmup ? '<div class="sub">began in warm-up; counted from its end</div>' : ''}</td><td>${e(s.step ?? '—')}</td><td>${s.statement ? `<code>${e(oneLine(s.statement, 120))}</code>` : '—'}</td><td class="cause">${s.cause === undefined ? '—' : e(stallCauseText(s))}</td></tr>`,
    )
    .join('');
  return `<h3>Stalls (${stalls.length})</h3>
<table class="stalls"><thead><tr><th>route</th><th class="num">start</th><th class="num">end</th><th class="num">duration</th><th>step</th><th>statement running</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>`;
};

/** The longest stall explained in words (cause-text.ts), under the cards. */
export const renderStallCause = (v: VariantResult): string => {
  const { ms, stall } = longestStall(v);
  if (!stall || ms <= 0 || stall.cause === undefined) return '';
  return `<p class="stall-cause"><b>Why the longest stall:</b> ${e(stallCauseText(stall))}.</p>`;
};

/** Where each route's latency went after warm-up: pool wait, lock wait, queries, other. */
export const renderLatencyCauses = (v: VariantResult): string => {
  const causes = v.latencyCauses;
  if (!causes) return '';
  if (!causes.length) return `<h3>Where latency went</h3><p class="note">No completed requests after warm-up.</p>`;
  const ms = (x: number | null, n: number) => (x === null ? 'not attributed' : fmtMs(n > 0 ? x / n : null));
  const rows = causes.map((c) => `<tr><td>${e(c.route)}</td><td class="num">${fmtCount(c.measured)} / ${fmtCount(c.completed)}</td>
<td class="num">${e(ms(c.latencyMs, c.measured))}</td><td class="num">${e(ms(c.poolWaitMs, c.measured))}</td><td class="num">${e(ms(c.lockWaitMs, c.measured))}</td><td class="num">${e(ms(c.dbMs, c.measured))}</td><td class="num">${e(ms(c.otherMs, c.measured))}</td><td>${e(routeCauseShares(c))}</td></tr>`).join('');
  return `<h3>Where latency went</h3>
<p class="note">Per request, averaged over the requests whose app reported its pool wait and query time (Server-Timing). Lock wait is what the lock sampler saw of the request's own backend (up to one sampling interval short) and is taken out of query time; "other" is HTTP, app code and queueing.</p>
<table class="latency-causes"><thead><tr><th>route</th><th class="num">measured / completed</th><th class="num">mean latency</th><th class="num">pool wait</th><th class="num">lock wait</th><th class="num">queries</th><th class="num">other</th><th>shares</th></tr></thead><tbody>${rows}</tbody></table>`;
};

const waitedMs = (w: LockWaitEvent): number => w.lastSeenMs - (w.waitStartMs ?? w.firstSeenMs);

/** Who sat at the root of the chain: application, state, transaction age and query (sampled from pg_stat_activity). */
const rootCell = (w: LockWaitEvent): string =>
  (w.rootBlockers ?? [])
    .map((b) => `<div class="root-blocker"><code>${b.pid}</code> <b>${e(b.application || '(no application_name)')}</b> <span class="muted">${e(b.state ?? 'gone')}${b.xactAgeMs !== null ? `, transaction ${e(fmtMs(b.xactAgeMs))} old` : ''}</span><div class="sub"><code title="${e(b.query)}">${e(oneLine(b.query, 60))}</code></div></div>`)
    .join('') || (w.blockers.length ? `<span class="muted">${NOT_MEASURED}</span>` : '—');

export const renderLockWaits = (v: VariantResult): string => {
  const waits = [...(v.lockWaits ?? [])].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
  const res = v.observer ? ` Sampled every ${fmtMs(v.observer.intervalMs)} (${fmtCount(v.observer.samples)} samples); shorter waits can be missed.` : '';
  if (!waits.length) return `<h3>Lock waits</h3><p class="note">No lock waits observed.${e(res)}</p>`;
  const rows = waits
    .map(
      (w) => `<tr><td class="num">${e(w.pid)}</td><td>${e(w.application)}</td><td>${e(w.mode)}</td><td>${e(w.relation ?? '—')}</td>
<td>${w.blockers.length ? w.blockers.map((b) => { const app = w.blockedBy?.find((x) => x.pid === b)?.application; return `<code>${e(b)}</code>${b === v.migrationPid ? ' (migration)' : app ? ` ${e(app)}` : ''}`; }).join(', ') : '—'}</td>
<td>${rootCell(w)}</td>
<td class="num">${e(fmtAt(w.waitStartMs ?? w.firstSeenMs))}</td><td class="num">${e(fmtMs(waitedMs(w)))}</td>
<td>${e(w.step ?? '—')}</td><td>${w.statement ? `<code>${e(oneLine(w.statement, 60))}</code>` : '—'}</td>
<td><code title="${e(w.query)}">${e(oneLine(w.query, 60))}</code></td></tr>`,
    )
    .join('');
  return `<h3>Lock waits (${waits.length})</h3><p class="muted">${e(res.trim())} "waited" is from the wait start (or first sample) to the last sample that still saw it waiting.</p>
<table class="lockwaits"><thead><tr><th class="num">pid</th><th>application</th><th>mode</th><th>relation</th><th>blocked by</th><th>root blocker</th><th class="num">since</th><th class="num">waited</th><th>step</th><th>migration statement</th><th>waiting query</th></tr></thead><tbody>${rows}</tbody></table>`;
};

const fitCell = (f: Fit | null): string => {
  if (!f) return `<span class="muted">not taken</span>`;
  const pts = f.points.map((p) => `${fmtCount(p.rows)} → ${fmtDuration(p.ms)}`).join('<br>');
  const model = f.model === 'poor' ? `<span class="bad">poor fit</span>` : e(f.model);
  const r2 = f.r2 !== null ? `, R² ${f.r2.toFixed(2)}` : '';
  const projected = f.projectedMs !== null ? `<b>${e(fmtDuration(f.projectedMs))}</b>` : NOT_MEASURED;
  return `${projected}<div class="sub">${model}${r2}</div><details class="kv-list"><summary>${f.points.length} measured points</summary><div class="sub">${pts}</div></details>`;
};

/** Each statement's cost fitted against the rows of the table it locked, projected to production. */
export const renderProjection = (p: Projection | undefined): string => {
  if (!p) return '';
  const rows = p.statements
    .map(
      (s) => `<tr><td>${e(s.variant)}</td><td>${e(s.step)}</td><td>${s.source ? `<div class="source">${e(`${s.source.file}:${s.source.line}`)}</div>` : ''}<code>${e(oneLine(s.sql, 90))}</code></td>
<td>${e(s.table ?? 'all tables')}</td><td class="num">${s.productionRows === null ? NOT_MEASURED : fmtCount(s.productionRows)}</td>
<td class="num">${fitCell(s.duration)}</td><td class="num">${fitCell(s.exclusiveHold)}</td><td>${e(s.summary)}</td></tr>`,
    )
    .join('');
  const prod = Object.entries(p.productionRows).map(([t, n]) => `${t} ${fmtCount(n)}`).join(', ') || 'none given';
  return `<section id="projection"><h2>Projection to production size</h2>
<p class="muted">Rehearsed at ${e(p.scales.join(', '))}; production rows: ${e(prod)}. Each statement is fitted against the rows of the table it held its strongest lock on. A cost that does not grow with rows is called constant; a fit with R² below 0.9 is called poor.</p>
${p.notes.length ? `<div class="note warn"><ul>${p.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></div>` : ''}
<table class="projection"><thead><tr><th>variant</th><th>step</th><th>statement</th><th>table</th><th class="num">production rows</th><th class="num">duration</th><th class="num">ACCESS EXCLUSIVE held</th><th>in words</th></tr></thead><tbody>${rows}</tbody></table></section>`;
};

/** --rehearse-rollback: was the old code healthy again, and what did the rollback itself cost. */
export const renderRollback = (v: VariantResult): string => {
  const r = v.rollback;
  if (!r) return '';
  const t = r.traffic;
  return `<h3>Rollback</h3>
<div class="note ${r.healthy ? '' : 'alarm'}"><b>${r.healthy ? 'The old code is healthy again.' : 'The rollback did not bring back a healthy app.'}</b>
Ran forward to <b>${e(r.lastReversibleStep)}</b>${r.notRun.length ? ` (not run: ${e(r.notRun.join(', '))})` : ''}, rolled back under load, and ran version <b>${e(r.oldVersion)}</b> for ${e(fmtDuration(r.healthWindow.endMs - r.healthWindow.startMs))}:
${fmtCount(t.requests)} requests, ${fmtCount(t.non2xx + t.errors + t.timeouts)} failed, p99 ${e(fmtMs(t.p99Ms))}. The rollback's own longest stall: <b>${e(fmtMs(r.longestStallMs))}</b>${r.longestStallStep ? ` (step ${e(r.longestStallStep)})` : ''}; its locks are in the steps marked rollback above.
${r.problems.length ? `<ul>${r.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>` : ''}</div>`;
};

/** --harden: every rewrite with before and after, and the statements that have no safe rewrite. */
export const renderHardening = (v: VariantResult): string => {
  const h = v.hardening;
  if (!h) return '';
  if (!h.rewrites.length) return `<h3>Hardening</h3><p class="note">Hardened from <b>${e(h.from)}</b>: nothing to rewrite.</p>`;
  const rows = h.rewrites.map((w) => `<tr><td>${e(w.step)}${w.source ? `<div class="source">${e(`${w.source.file}:${w.source.line}`)}</div>` : ''}</td><td>${w.pattern === 'none' ? '<span class="bad">no safe rewrite</span>' : e(w.pattern)}</td><td><pre class="sql">${e(w.before)}</pre></td><td><pre class="sql">${e(w.after.join('\n'))}</pre></td><td>${e(w.note)}</td></tr>`).join('');
  return `<h3>Hardening (${h.rewrites.length} rewrite${h.rewrites.length === 1 ? '' : 's'} of ${e(h.from)})</h3>
<table class="hardening"><thead><tr><th>step</th><th>pattern</th><th>before</th><th>after</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>`;
};
