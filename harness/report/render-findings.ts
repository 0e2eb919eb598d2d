// docs/findings.md: what a whole library run (`rehearse --all`) measured, generated from the
// reports and never typed by hand. One table of every scenario and variant, then each claim of
// the literature with the measurement that confirms or refutes it on this Postgres version. The
// claims are data (a scenario library brings its own, e.g. scenarios/findings/claims.ts).
import { markdownTable } from 'markdown-table';
import type { RunReport, StatementTrace, VariantResult } from '../model/schema.ts';
import { fmtCount, fmtDuration, fmtMs, fmtPct } from './format-units.ts';
import { longestStall } from './report-checks.ts';
import type { Renderer } from './renderers.ts';

export type ClaimVerdict = 'confirmed' | 'refuted' | 'partly' | 'not measured';

export interface ClaimCheck {
  verdict: ClaimVerdict;
  /** The measurement, in words, with its numbers. */
  measurement: string;
}

export interface Claim {
  claim: string;
  /** Where it is made, e.g. "reading/article-2". */
  source: string;
  /** Scenario/variant pairs it is measured on (for the reader). */
  measuredBy: string[];
  check(find: (scenario: string, variant: string) => VariantResult | undefined): ClaimCheck;
}

export interface MachineInfo {
  cpus: number;
  /** 1-minute load averages: at the start, at the end, and the highest seen during the run. */
  loadStart: number;
  loadEnd: number;
  loadMax: number;
}

export interface FindingsContext {
  claims?: readonly Claim[];
  machine?: MachineInfo;
  /** How the page was generated, e.g. "npm run rehearse -- --all --rows 1000000". */
  command?: string;
  durationMs?: number;
}

const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const statements = (v: VariantResult): StatementTrace[] => v.steps.flatMap((s) => s.statements ?? []);

const MODE_ORDER = ['AccessExclusiveLock', 'ExclusiveLock', 'ShareRowExclusiveLock', 'ShareLock', 'ShareUpdateExclusiveLock', 'RowExclusiveLock', 'RowShareLock', 'AccessShareLock'];

/** Modes that conflict with something an app does (SHARE UPDATE EXCLUSIVE and stronger); weaker ones are the migration's own reads. */
const STRONG = new Set(MODE_ORDER.slice(0, 5));

/**
 * The strongest lock the statements held on each relation, strongest first, leaving out TOAST
 * relations and modes weaker than SHARE UPDATE EXCLUSIVE (the statement's own reads).
 */
export function strongestLocks(sts: readonly StatementTrace[]): [relation: string, mode: string][] {
  const best = new Map<string, string>();
  for (const st of sts) {
    for (const l of st.locks ?? []) {
      if (!l.relation || l.relation.startsWith('pg_toast.') || !STRONG.has(l.mode)) continue;
      const cur = best.get(l.relation);
      if (!cur || MODE_ORDER.indexOf(l.mode) < MODE_ORDER.indexOf(cur)) best.set(l.relation, l.mode);
    }
  }
  return [...best].sort((a, b) => MODE_ORDER.indexOf(a[1]) - MODE_ORDER.indexOf(b[1]) || a[0].localeCompare(b[0]));
}

export function lockModes(v: VariantResult, shown = 4): string {
  const all = strongestLocks(statements(v)).map(([r, m]) => `${m.replace(/Lock$/, '')} ${r}`);
  return all.length > shown ? `${all.slice(0, shown).join(', ')} (+${all.length - shown} more)` : all.join(', ') || '—';
}

export function rewrites(v: VariantResult): string {
  const rel = [...new Set(statements(v).flatMap((s) => s.rewrittenRelations ?? []))];
  return rel.length ? `yes: ${rel.join(', ')}` : 'no';
}

const variantRow = (r: RunReport, v: VariantResult): string[] => {
  const { ms, stall } = longestStall(v);
  const failed = v.steps.find((s) => s.status === 'failed');
  return [
    r.scenario,
    v.variant + (v.summary.completed ? '' : ` ❌ ${failed ? `${failed.name} failed` : 'incomplete'}`),
    `${fmtMs(ms)}${stall?.step ? ` (${stall.step}, ${stall.route})` : ''}`,
    fmtMs(v.summary.maxLatencyMs),
    `${fmtPct(v.summary.errorRate)}${Object.keys(v.summary.errorsBySqlstate ?? {}).length ? ` (${Object.entries(v.summary.errorsBySqlstate).map(([k, n]) => `${k} ×${fmtCount(n)}`).join(', ')})` : ''}`,
    lockModes(v),
    rewrites(v),
    fmtDuration(v.durationMs),
  ].map(cell);
};

const VERDICT: Record<ClaimVerdict, string> = { confirmed: '✅ confirmed', refuted: '❌ refuted', partly: '⚠️ partly', 'not measured': '— not measured' };

export function renderFindings(reports: readonly RunReport[], ctx: FindingsContext = {}): string {
  const variants = reports.flatMap((r) => r.variants.map((v) => ({ r, v })));
  const find = (scenario: string, variant: string) => variants.find((x) => x.r.scenario === scenario && x.v.variant === variant)?.v;
  const pg = [...new Set(variants.map((x) => x.v.postgres.version))].join(', ') || 'unknown';
  const rows = [...new Set(variants.map((x) => Object.entries(x.v.dataset.tables).map(([t, n]) => `${t} ${fmtCount(n)}`).join(', ')))].join('; ');
  const load = [...new Set(variants.map((x) => (x.v.load.rate ? `${fmtCount(x.v.load.rate)} req/s open model` : `${x.v.load.connections} connections closed model`)))].join(', ');
  const m = ctx.machine;
  const saturated = m ? m.loadMax > m.cpus * 1.5 : false;
  const lines = [
    '# Findings',
    '',
    `Generated by \`${ctx.command ?? 'rehearse --all'}\` from ${reports.length} reports; do not edit by hand. Each number below is a measurement of that run.`,
    '',
    `- PostgreSQL ${pg}; data: ${rows || 'none'}; load: ${load || 'none'}.`,
    ...(ctx.durationMs !== undefined ? [`- The whole run took ${fmtDuration(ctx.durationMs)}.`] : []),
    ...(m ? [`- Machine: ${m.cpus} CPUs; 1-minute load average ${m.loadStart.toFixed(1)} at the start, ${m.loadEnd.toFixed(1)} at the end, ${m.loadMax.toFixed(1)} at most.${saturated ? ' **The CPUs were saturated by other work during this run**: durations and stalls are longer than on a quiet machine, and small differences are noise; the lock modes, rewrites, rows scanned and error codes do not depend on load.' : ''}`] : ['- Machine load was not recorded.']),
    '',
    '## Every scenario and variant',
    '',
    'Longest stall: the longest window in which requests of one route were in flight and none completed (route and step in brackets). Lock modes: the strongest lock the migration held on each relation. Rewrite: relations whose files were replaced (relfilenode changed).',
    '',
    markdownTable([['scenario', 'variant', 'longest stall', 'max latency', 'error rate', 'lock modes', 'rewrite', 'duration'], ...variants.map(({ r, v }) => variantRow(r, v))]),
  ];
  if (ctx.claims?.length) {
    lines.push('', '## The literature, measured', '', 'Claims from the articles the product grew from (`../shared/reading/`) and common advice, each checked against the runs above.', '');
    for (const c of ctx.claims) {
      let result: ClaimCheck;
      try {
        result = c.check(find);
      } catch (err) {
        result = { verdict: 'not measured', measurement: `the check failed: ${(err as Error).message}` };
      }
      lines.push(`### "${c.claim}"`, '', `*${c.source}* · measured by ${c.measuredBy.map((x) => `\`${x}\``).join(', ')}`, '', `**${VERDICT[result.verdict]}.** ${result.measurement}`, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export const findingsRenderer: Renderer = {
  render: (r) => renderFindings([r]),
  renderMany: (reports, ctx) => renderFindings(reports, ctx as FindingsContext | undefined),
};
