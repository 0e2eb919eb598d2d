// Server side of the timeline charts: turns each variant's timeline into dense uPlot arrays plus the
// step bands and stall regions the browser script (chart-client.js) draws. Y ranges are computed
// once over all variants so naive and safe charts are drawn on the same scales.
import type { RunReport, TimelinePoint, VariantResult } from '../model/schema.ts';
import { escapeHtml } from './html-escape.ts';
import { fmtAt, fmtMs } from './format-units.ts';

export type Unit = 'rps' | 'ms' | 'backends' | 'requests';

export interface ChartSeries {
  label: string;
  scale: Unit;
  color: string;
  dash?: number[];
  width?: number;
}

export interface ChartPanel {
  id: string;
  title: string;
  series: ChartSeries[];
  /** [x, ...one array per series]; null = not measured in that second (drawn as a gap). */
  data: (number | null)[][];
  axes: { scale: Unit; label: string; side: 'left' | 'right' }[];
}

export interface ChartBand {
  index: number; // 1-based, matches the step table
  name: string;
  start: number; // seconds
  end: number;
  status: string;
}

export interface ChartStall {
  start: number; // seconds
  end: number;
  label: string;
}

/** Something with a duration beside the steps (a background session…), drawn as a bar along the bottom. */
export interface ChartSpan {
  start: number; // seconds
  end: number;
  label: string;
}

export interface VariantChart {
  id: string;
  xMax: number;
  bands: ChartBand[];
  stalls: ChartStall[];
  spans: ChartSpan[];
  panels: ChartPanel[];
}

export interface ChartModel {
  ranges: Record<Unit, [number, number]>;
  variants: (VariantChart | null)[];
}

export const COLORS = {
  completed: '#2563eb',
  scheduled: '#94a3b8',
  errors: '#be123c',
  dropped: '#f97316',
  p99: '#d97706',
  oldest: '#7c3aed',
  lockWaiters: '#0f766e',
  poolWaiting: '#64748b',
  inFlight: '#7c3aed',
} as const;

/** The next round number (1, 1.2, 1.5, 2 … 8 × 10^k) at or above n, so shared axes end on a clean value. */
export const niceCeil = (n: number): number => {
  if (!(n > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= n) return m * p;
  return 10 * p;
};

const errorsOf = (p: TimelinePoint): number => p.non2xx + p.errors + p.timeouts;

const lastSecond = (timeline: TimelinePoint[]): number => Math.max(0, ...timeline.map((p) => Math.round(p.t)));

/** One value per whole second 0..last, plus a closing sentinel so the last stepped bucket has width. */
const dense = (timeline: TimelinePoint[], pick: (p: TimelinePoint) => number | null): (number | null)[] => {
  const byT = new Map(timeline.map((p) => [Math.round(p.t), p]));
  const last = lastSecond(timeline);
  const out: (number | null)[] = [];
  for (let t = 0; t <= last; t++) {
    const p = byT.get(t);
    // A missing second is "not measured", never 0.
    out.push(p ? pick(p) : null);
  }
  out.push(out[out.length - 1] ?? null);
  return out;
};

const anyMeasured = (timeline: TimelinePoint[], pick: (p: TimelinePoint) => number | null): boolean =>
  timeline.some((p) => pick(p) !== null && pick(p) !== undefined);

const notMeasuredSuffix = (measured: boolean): string => (measured ? '' : ' (not measured)');

/** Overlapping stalls on several routes become one region, labelled with every route. */
const mergeStalls = (v: VariantResult): ChartStall[] => {
  const sorted = [...(v.stalls ?? [])].sort((a, b) => a.startMs - b.startMs);
  const groups: { start: number; end: number; longest: number; routes: string[] }[] = [];
  for (const s of sorted) {
    const g = groups[groups.length - 1];
    if (g && s.startMs <= g.end) {
      g.end = Math.max(g.end, s.endMs);
      g.longest = Math.max(g.longest, s.durationMs);
      if (!g.routes.includes(s.route)) g.routes.push(s.route);
    } else {
      groups.push({ start: s.startMs, end: s.endMs, longest: s.durationMs, routes: [s.route] });
    }
  }
  return groups.map((g) => ({
    start: g.start / 1000,
    end: g.end / 1000,
    label: `stall ${fmtMs(g.longest)} · ${g.routes.join(', ')}`,
  }));
};

const variantChart = (v: VariantResult, i: number): VariantChart | null => {
  const tl = v.timeline ?? [];
  if (tl.length === 0) return null;
  // x is every whole second 0..last plus the sentinel, matching dense().
  const x = Array.from({ length: lastSecond(tl) + 2 }, (_, k) => k);
  const bands: ChartBand[] = (v.steps ?? [])
    .map((s, k) => ({ index: k + 1, name: s.name, start: s.startMs / 1000, end: s.endMs / 1000, status: s.status }))
    .filter((b) => b.status !== 'skipped' && b.end >= b.start);
  const stalls = mergeStalls(v);
  const spans: ChartSpan[] = (v.events ?? []).filter((ev) => ev.endMs !== undefined && ev.endMs >= ev.atMs).map((ev) => ({ start: ev.atMs / 1000, end: ev.endMs! / 1000, label: ev.label }));
  const xMax = Math.max(x.length - 1, ...bands.map((b) => b.end), ...stalls.map((s) => s.end));

  const open = v.load?.model === 'open';
  const hasDropped = tl.some((p) => p.dropped > 0);
  const poolMeasured = anyMeasured(tl, (p) => p.poolWaiting);
  const lockMeasured = anyMeasured(tl, (p) => p.lockWaiters);

  const traffic: ChartPanel = {
    id: `chart-${i}-traffic`,
    title: 'Traffic',
    series: [
      { label: 'completed/s', scale: 'rps', color: COLORS.completed, width: 2 },
      ...(open ? [{ label: 'scheduled/s', scale: 'rps' as const, color: COLORS.scheduled, dash: [4, 4], width: 1 }] : []),
      { label: 'errors/s (non-2xx + errors + timeouts)', scale: 'rps', color: COLORS.errors, width: 2 },
      ...(hasDropped ? [{ label: 'dropped/s (never sent)', scale: 'rps' as const, color: COLORS.dropped, width: 2 }] : []),
      { label: 'p99 latency', scale: 'ms', color: COLORS.p99, width: 2 },
      { label: 'oldest in-flight age', scale: 'ms', color: COLORS.oldest, dash: [6, 3], width: 1.5 },
    ],
    data: [
      x,
      dense(tl, (p) => p.completed),
      ...(open ? [dense(tl, (p) => p.scheduled)] : []),
      dense(tl, errorsOf),
      ...(hasDropped ? [dense(tl, (p) => p.dropped)] : []),
      dense(tl, (p) => p.p99Ms),
      dense(tl, (p) => p.oldestInFlightMs),
    ],
    axes: [
      { scale: 'rps', label: 'requests per second', side: 'left' },
      { scale: 'ms', label: 'latency / age (ms)', side: 'right' },
    ],
  };
  const pressure: ChartPanel = {
    id: `chart-${i}-pressure`,
    title: 'Database and queueing',
    // Lock waiters get their own axis: a few dozen blocked backends must not flatten under hundreds of queued requests.
    series: [
      { label: `lock waiters${notMeasuredSuffix(lockMeasured)}`, scale: 'backends', color: COLORS.lockWaiters, width: 2 },
      { label: 'in-flight requests', scale: 'requests', color: COLORS.inFlight, width: 1.5 },
      { label: `waiting for a pool connection${notMeasuredSuffix(poolMeasured)}`, scale: 'requests', color: COLORS.poolWaiting, dash: [4, 3], width: 1.5 },
    ],
    data: [x, dense(tl, (p) => p.lockWaiters), dense(tl, (p) => p.inFlight), dense(tl, (p) => p.poolWaiting)],
    axes: [
      { scale: 'backends', label: 'lock waiters (backends)', side: 'left' },
      { scale: 'requests', label: 'requests', side: 'right' },
    ],
  };
  return { id: `v${i}`, xMax, bands, stalls, spans, panels: [traffic, pressure] };
};

/** Max of each unit over every variant, so all charts share one y range per unit. */
const sharedRanges = (charts: (VariantChart | null)[]): Record<Unit, [number, number]> => {
  const max: Record<Unit, number> = { rps: 0, ms: 0, backends: 0, requests: 0 };
  for (const c of charts) {
    for (const panel of c?.panels ?? []) {
      panel.series.forEach((s, k) => {
        for (const val of panel.data[k + 1]) if (val !== null && val > max[s.scale]) max[s.scale] = val;
      });
    }
  }
  // 5% headroom so a peak is not hidden under the top border.
  const r = (u: Unit): [number, number] => [0, niceCeil(max[u] * 1.05)];
  return { rps: r('rps'), ms: r('ms'), backends: r('backends'), requests: r('requests') };
};

export const buildChartModel = (report: RunReport): ChartModel => {
  const variants = report.variants.map(variantChart);
  return { ranges: sharedRanges(variants), variants };
};

/** Static HTML around the canvases: title, overlay legend and the step list (canvas text is not selectable). */
export const renderChartBlock = (v: VariantResult, chart: VariantChart | null): string => {
  if (!chart) {
    return `<div class="note warn">No timeline samples were recorded for this variant, so there is no chart. This does not mean there was no impact.</div>`;
  }
  const stepList = chart.bands
    .map(
      (b) =>
        `<li class="band-item${b.status === 'failed' ? ' failed' : ''}"><span class="swatch band-${b.index % 2 ? 'odd' : 'even'}${b.status === 'failed' ? ' band-failed' : ''}"></span>` +
        `<b>${b.index}</b> ${escapeHtml(b.name)} <span class="muted">${fmtAt(b.start * 1000)}–${fmtAt(b.end * 1000)}${b.status === 'failed' ? ' · failed' : ''}</span></li>`,
    )
    .join('');
  const stallList = chart.stalls
    .map((s) => `<li class="stall-item"><span class="swatch stall"></span>${escapeHtml(s.label)} <span class="muted">${fmtAt(s.start * 1000)}–${fmtAt(s.end * 1000)}</span></li>`)
    .join('');
  const spanList = chart.spans
    .map((s) => `<li class="span-item"><span class="swatch span"></span>${escapeHtml(s.label)} <span class="muted">${fmtAt(s.start * 1000)}–${fmtAt(s.end * 1000)}</span></li>`)
    .join('');
  const panels = chart.panels
    .map((p) => `<figure class="chart"><figcaption>${escapeHtml(p.title)}</figcaption><div class="chart-canvas" id="${p.id}" data-variant="${chart.id}"></div></figure>`)
    .join('');
  return `<div class="charts" data-variant="${escapeHtml(v.variant)}">
<p class="chart-help">x = seconds since the run started. Each second is drawn as a flat step. Shaded columns are migration steps (numbered as in the step table). <span class="stall-text">Red columns are stalls.</span> Purple bars along the bottom are sessions beside the migration (background sessions). The y-axes use the same scales for every variant. A gap in a line means that second was not measured.</p>
${panels}
<ul class="band-legend">${stepList}${stallList || '<li class="muted">No stalls detected.</li>'}${spanList}</ul>
</div>`;
};
