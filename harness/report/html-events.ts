// The events table of the HTML report: faults injected by fault steps and other happenings
// (an app instance that died), each with what the app and the migration did from then on.
import type { RunEvent, RunReport, StepResult, VariantResult } from '../model/schema.ts';
import { escapeHtml as e } from './html-escape.ts';
import { fmtAt, fmtCount, fmtMs, topSqlstates } from './format-units.ts';

const kindText = (ev: RunEvent): string => (ev.kind === 'fault' && typeof ev.details?.fault === 'string' ? `fault: ${ev.details.fault}` : ev.kind);

/** How the migration fared: the step it hit, its status, and a backfill's retries. */
const migrationCell = (ev: RunEvent, steps: StepResult[]): string => {
  const im = ev.impact;
  if (!im?.step) return '<span class="muted">between steps</span>';
  const step = steps.find((s) => s.name === im.step);
  const retried = typeof step?.details?.retried === 'number' && step.details.retried > 0 ? `, ${fmtCount(step.details.retried)} ${step.details.retried === 1 ? 'retry' : 'retries'}` : '';
  const status = im.stepStatus ?? 'unknown';
  return `step <b>${e(im.step)}</b>: <span class="${status === 'failed' ? 'bad' : status === 'ok' ? 'ok' : ''}">${e(status)}</span>${im.stepSqlstate ? ` (SQLSTATE ${e(im.stepSqlstate)})` : ''}${e(retried)}`;
};

const appCell = (ev: RunEvent): string => {
  const im = ev.impact;
  if (!im) return '<span class="muted">not measured</span>';
  const errs = topSqlstates(im.errorsBySqlstate, 4);
  return [
    `${fmtCount(im.requests)} requests, <span class="${im.errors > 0 ? 'bad' : ''}">${fmtCount(im.errors)} errors</span>${errs.length ? ` (SQLSTATE ${e(errs.join(', '))})` : ''}`,
    `p99 ${e(fmtMs(im.p99Ms))}, max ${e(fmtMs(im.maxMs))}, longest stall <span class="${im.longestStallMs > 0 ? 'bad' : ''}">${e(fmtMs(im.longestStallMs))}</span>`,
    `<span class="sub">from ${e(fmtAt(im.fromMs))} to ${e(fmtAt(im.toMs))}</span>`,
  ].join('<br>');
};

export const renderEvents = (v: VariantResult): string => {
  const events = [...(v.events ?? [])].sort((a, b) => a.atMs - b.atMs);
  if (!events.length) return '';
  const rows = events
    .map(
      (ev) => `<tr class="event-row${ev.details?.error ? ' step-failed' : ''}"><td class="num">${e(fmtAt(ev.atMs))}${ev.endMs !== undefined ? `<div class="sub">to ${e(fmtAt(ev.endMs))}</div>` : ''}</td>
<td>${e(kindText(ev))}${typeof ev.details?.step === 'string' ? `<div class="sub">step ${e(ev.details.step)}</div>` : ''}</td><td>${e(ev.label)}</td><td>${appCell(ev)}</td><td>${migrationCell(ev, v.steps ?? [])}</td></tr>`,
    )
    .join('');
  return `<h3>Faults and events (${events.length})</h3>
<p class="muted">The app's traffic is counted from each event to the later of its own end and the end of the step it happened in.</p>
<table class="events"><thead><tr><th class="num">at</th><th>kind</th><th>what happened</th><th>the app from then on</th><th>the migration</th></tr></thead><tbody>${rows}</tbody></table>`;
};

/** A banner for a run that stopped early: what is shown is what was measured until then. */
export const renderRunStatus = (r: RunReport): string => {
  if (!r.status || r.status === 'completed') return '';
  const what = r.status === 'interrupted' ? 'This run was interrupted' : 'This run stopped on an error';
  const why = r.error ? ` (${r.error.code}: ${r.error.message})` : '';
  const where = r.stoppedDuring ? ` during ${r.stoppedDuring}` : '';
  return `<div class="note alarm run-status"><b>${e(what)}${e(where)}</b>${e(why)}. Everything below is what was measured until then; steps that did not run are marked skipped.</div>`;
};
