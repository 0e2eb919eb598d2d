// Was the rollback a success? Judged from the measurements only: every rollback step finished,
// the app runs the old version again, and in the health window (a pause after the undo) the old
// code answered every request without an error. Also the rollback's own worst stall. Pure.
import type { RollbackResult, StepResult, TrafficSummary } from './schema.ts';

export interface RollbackFacts {
  lastReversibleStep: string;
  notRun: string[];
  oldVersion: string;
  healthStep: string;
}

const EMPTY: TrafficSummary = { requests: 0, completed: 0, non2xx: 0, errors: 0, timeouts: 0, unfinished: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, errorRate: 0 };

export function judgeRollback(steps: readonly StepResult[], facts: RollbackFacts, deployedVersion: string | null): RollbackResult {
  const undo = steps.filter((s) => s.phase === 'rollback');
  const health = undo.find((s) => s.name === facts.healthStep);
  const problems: string[] = [];
  for (const s of undo) if (s.status !== 'ok') problems.push(`rollback step ${s.name} ${s.status === 'failed' ? `failed${s.error ? `: ${s.error.message}` : ''}` : 'did not run'}`);
  const traffic = health?.traffic ?? EMPTY;
  if (health?.status === 'ok') {
    if (traffic.requests === 0) problems.push('no request was measured in the health window, so the old code\'s health is unknown');
    const failed = traffic.non2xx + traffic.errors + traffic.timeouts;
    if (failed > 0) {
      const codes = Object.entries(health.errorsBySqlstate ?? {}).map(([k, n]) => `${k} ×${n}`).join(', ');
      problems.push(`the old code failed ${failed} of ${traffic.requests} requests in the health window${codes ? ` (SQLSTATE ${codes})` : ''}`);
    }
    if (traffic.unfinished > 0) problems.push(`${traffic.unfinished} requests of the health window never got an answer`);
  }
  if (deployedVersion !== null && deployedVersion !== facts.oldVersion) problems.push(`the app ended on version ${deployedVersion}, not the old version ${facts.oldVersion}`);
  const worst = undo.filter((s) => s.name !== facts.healthStep).reduce<StepResult | null>((a, s) => ((s.longestStallMs ?? 0) > (a?.longestStallMs ?? -1) ? s : a), null);
  return {
    lastReversibleStep: facts.lastReversibleStep,
    notRun: facts.notRun,
    oldVersion: facts.oldVersion,
    healthWindow: { startMs: health?.startMs ?? 0, endMs: health?.endMs ?? 0 },
    healthy: problems.length === 0,
    problems,
    traffic,
    longestStallMs: worst?.longestStallMs ?? 0,
    longestStallStep: worst?.name ?? null,
  };
}
