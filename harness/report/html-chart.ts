// Server side of the timeline charts: turns each variant's timeline into dense uPlot arrays plus the
// step bands, the warm-up band, stall regions and CPU-saturated seconds the browser script
// (chart-client.js) draws. Y ranges are computed once over all variants so naive and safe charts
// are drawn on the same scales.
import type { RunReport, TimelinePoint, VariantResult } from '../model/schema.ts';
import { escapeHtml } from './html-escape.ts';
import { fmtAt, fmtMs } from './format-units.ts';

export type Unit = 'rps' | 'ms' | 'backends' | 'requests' | 'cores' | 'responses';

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

/** A fault or other event: a marker at `start`, a band to `end` when it lasted. */
export interface ChartEvent {
  index: number; // 1-based, in time order; shown as "E1" on the chart and in the legend
  start: number; // seconds
  end: number | null;
  label: string;
}

export interface VariantChart {
  id: string;
  xMax: number;
  bands: ChartBand[];
  /** Warm-up, drawn as its own band before the steps; null when there was none. */
  warmup: { start: number; end: number; label: string } | null;
  stalls: ChartStall[];
  events: ChartEvent[];
  /** Runs of seconds in which the machine's CPU was saturated (hatched). */
  saturated: { start: number; end: number }[];
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
  cpuMachine: '#0f172a',
  cpuPostgres: '#0369a1',
  cpuHarness: '#a16207',
  cpuOther: '#94a3b8',
} as const;

/** App instances get shades of green, in start order, so a deploy's new instances are told apart. */
const APP_SHADES = ['#15803d', '#4d7c0f', '#047857', '#65a30d', '#0d9488', '#16a34a', '#166534', '#84cc16'];

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
    // Fault steps only arm a fault and take no time: their fault is drawn as an event instead.
    .filter((b, k) => b.status !== 'skipped' && b.end >= b.start && v.steps[k]!.kind !== 'fault');
  const stalls = mergeStalls(v);
  const events: ChartEvent[] = [...(v.events ?? [])]
    .sort((a, b) => a.atMs - b.atMs)
    .map((ev, k) => ({ index: k + 1, start: ev.atMs / 1000, end: ev.endMs !== undefined ? ev.endMs / 1000 : null, label: ev.label }));
  const xMax = Math.max(x.length - 1, ...bands.map((b) => b.end), ...stalls.map((s) => s.end), ...events.map((ev) => ev.end ?? ev.start));

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
  const cpu = cpuPanel(v, i, x.length - 2);
  const fine = finePanel(v, i);
  const warmup = v.warmup && v.warmup.mode !== 'off' && v.warmup.durationMs > 0
    ? { start: v.warmup.startMs / 1000, end: v.warmup.endMs / 1000, label: `warm-up${v.warmup.settled === false ? ' (not steady)' : ''} · not counted` }
    : null;
  return { id: `v${i}`, xMax, bands, warmup, stalls, events, saturated: saturatedRuns(v), panels: [traffic, ...(fine ? [fine] : []), pressure, ...(cpu ? [cpu] : [])] };
};

/**
 * Responses and the worst latency per 100 ms (short runs only, model/fine-timeline.ts): a stall
 * is a clean run of empty buckets. Responses are counted per bucket on their own axis, so the
 * 1 s panels keep their scales.
 */
const finePanel = (v: VariantResult, i: number): ChartPanel | null => {
  const f = v.fineTimeline;
  if (!f || f.completed.length === 0) return null;
  const x = Array.from({ length: f.completed.length + 1 }, (_, k) => (k * f.bucketMs) / 1000);
  return {
    id: `chart-${i}-fine`,
    title: `Responses per ${f.bucketMs} ms`,
    series: [
      { label: `responses per ${f.bucketMs} ms`, scale: 'responses', color: COLORS.completed, width: 1.5 },
      { label: `max latency (responses in those ${f.bucketMs} ms)`, scale: 'ms', color: COLORS.p99, width: 1.5 },
    ],
    // The closing sentinel repeats the last bucket so it has width, as in dense().
    data: [x, [...f.completed, f.completed.at(-1)!], [...f.maxLatencyMs, f.maxLatencyMs.at(-1) ?? null]],
    axes: [
      { scale: 'responses', label: `responses per ${f.bucketMs} ms`, side: 'left' },
      { scale: 'ms', label: 'latency (ms)', side: 'right' },
    ],
  };
};

/** Consecutive saturated seconds as [start, end) spans. */
const saturatedRuns = (v: VariantResult): { start: number; end: number }[] => {
  const out: { start: number; end: number }[] = [];
  for (const t of v.cpu?.saturatedSeconds ?? []) {
    const last = out[out.length - 1];
    if (last && last.end === t) last.end = t + 1;
    else out.push({ start: t, end: t + 1 });
  }
  return out;
};

/** CPU per component in cores, on the timeline's seconds (index = t). */
const cpuPanel = (v: VariantResult, i: number, last: number): ChartPanel | null => {
  const c = v.cpu;
  if (!c) return null;
  const col = (values: (number | null)[]): (number | null)[] => {
    const out = Array.from({ length: last + 1 }, (_, t) => values[t] ?? null);
    out.push(out[out.length - 1] ?? null);
    return out;
  };
  const sum = (kind: 'harness' | 'app' | 'postgres'): (number | null)[] =>
    Array.from({ length: c.machine.length }, (_, t) => {
      const vals = c.components.filter((x) => x.kind === kind).map((x) => x.cores[t] ?? null);
      return vals.every((x) => x === null) ? null : vals.reduce<number>((a, b) => a + (b ?? 0), 0);
    });
  const harness = sum('harness');
  const apps = sum('app');
  const postgres = sum('postgres');
  const other = c.machine.map((m, t) => (m === null || harness[t] === null || apps[t] === null || postgres[t] === null ? null : Math.max(0, m - harness[t]! - apps[t]! - postgres[t]!)));
  const measured = (vals: (number | null)[]) => notMeasuredSuffix(vals.some((x) => x !== null));
  const instances = c.components.filter((x) => x.kind === 'app');
  return {
    id: `chart-${i}-cpu`,
    title: `CPU (cores of ${c.cores})`,
    series: [
      { label: `machine, all processes${measured(c.machine)}`, scale: 'cores', color: COLORS.cpuMachine, width: 2 },
      { label: `Postgres${measured(postgres)}`, scale: 'cores', color: COLORS.cpuPostgres, width: 2 },
      { label: `harness${measured(harness)}`, scale: 'cores', color: COLORS.cpuHarness, width: 1.5 },
      ...instances.map((x, k) => ({ label: `${x.label}${measured(x.cores)}`, scale: 'cores' as const, color: APP_SHADES[k % APP_SHADES.length]!, width: 1.25 })),
      { label: `other processes${measured(other)}`, scale: 'cores', color: COLORS.cpuOther, dash: [4, 3], width: 1.5 },
    ],
    data: [
      Array.from({ length: last + 2 }, (_, k) => k),
      col(c.machine),
      col(postgres),
      col(harness),
      ...instances.map((x) => col(x.cores)),
      col(other),
    ],
    // Same scale on both sides: the plot then has the same width as the panels above, so seconds line up.
    axes: [
      { scale: 'cores', label: 'cores', side: 'left' },
      { scale: 'cores', label: 'cores', side: 'right' },
    ],
  };
};

/** Max of each unit over every variant, so all charts share one y range per unit. */
const sharedRanges = (charts: (VariantChart | null)[]): Record<Unit, [number, number]> => {
  const max: Record<Unit, number> = { rps: 0, ms: 0, backends: 0, requests: 0, cores: 0, responses: 0 };
  for (const c of charts) {
    for (const panel of c?.panels ?? []) {
      panel.series.forEach((s, k) => {
        for (const val of panel.data[k + 1]) if (val !== null && val > max[s.scale]) max[s.scale] = val;
      });
    }
  }
  // 5% headroom so a peak is not hidden under the top border.
  const r = (u: Unit): [number, number] => [0, niceCeil(max[u] * 1.05)];
  return { rps: r('rps'), ms: r('ms'), backends: r('backends'), requests: r('requests'), cores: r('cores'), responses: r('responses') };
};

export const buildChartModel = (report: RunReport): ChartModel => {
  const variants = report.variants.map(variantChart);
  const ranges = sharedRanges(variants);
  // CPU is drawn against the whole machine, so "saturated" reads as touching the top.
  const cores = Math.max(0, ...report.variants.map((v) => v.cpu?.cores ?? 0));
  if (cores > 0) ranges.cores = [0, cores];
  return { ranges, variants };
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
  const eventList = chart.events
    .map((ev) => `<li class="event-item"><span class="swatch event"></span><b>E${ev.index}</b> ${escapeHtml(ev.label)} <span class="muted">${fmtAt(ev.start * 1000)}${ev.end !== null ? `–${fmtAt(ev.end * 1000)}` : ''}</span></li>`)
    .join('');
  const stallList = chart.stalls
    .map((s) => `<li class="stall-item"><span class="swatch stall"></span>${escapeHtml(s.label)} <span class="muted">${fmtAt(s.start * 1000)}–${fmtAt(s.end * 1000)}</span></li>`)
    .join('');
  const warmupItem = chart.warmup
    ? `<li class="band-item warmup-item"><span class="swatch band-warmup"></span>${escapeHtml(chart.warmup.label)} <span class="muted">${fmtAt(chart.warmup.start * 1000)}–${fmtAt(chart.warmup.end * 1000)}</span></li>`
    : '';
  const saturatedSeconds = chart.saturated.reduce((a, r) => a + r.end - r.start, 0);
  const saturatedItem = saturatedSeconds
    ? `<li class="saturated-item"><span class="swatch saturated"></span>machine CPU saturated ${saturatedSeconds} s: latency there is about this machine, not the migration</li>`
    : '';
  const panels = chart.panels
    .map((p) => `<figure class="chart"><figcaption>${escapeHtml(p.title)}</figcaption><div class="chart-canvas" id="${p.id}" data-variant="${chart.id}"></div></figure>`)
    .join('');
  return `<div class="charts" data-variant="${escapeHtml(v.variant)}">
<p class="chart-help">x = seconds since the run started. Each second is drawn as a flat step${chart.panels.some((p) => p.id.endsWith('-fine')) ? '; the responses panel uses 100 ms steps, so a stall is a gap where the line sits at zero' : ''}. The grey column at the start is warm-up (load ran, nothing was counted). Shaded columns are migration steps (numbered as in the step table). <span class="stall-text">Red columns are stalls.</span>${chart.events.length ? ' Purple lines (E1, E2…) are faults and other events, shaded while they lasted.' : ''} Hatched seconds had the machine's CPU saturated. The y-axes use the same scales for every variant. A gap in a line means that second was not measured.</p>
${panels}
<ul class="band-legend">${warmupItem}${stepList}${stallList || '<li class="muted">No stalls detected.</li>'}${eventList}${saturatedItem}</ul>
</div>`;
};
