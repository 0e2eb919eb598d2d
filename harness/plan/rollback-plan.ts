// --rehearse-rollback: a variant becomes "forward to the last reversible step, then undo it all
// under the same load". A rollback can hurt as much as the change (a DROP COLUMN needs ACCESS
// EXCLUSIVE too), so it is rehearsed as steps like any other: traced, attributed, budgeted.
//   - the forward part is the longest prefix of steps that can be undone: a sql step with a
//     `rollback`, a deploy (undone by deploying the version before it), and steps with nothing to
//     undo (pause, verify, background, a backfill into a column that goes with an earlier rollback);
//     it ends at the last step that changed something;
//   - the undo runs in reverse order, so the old code is back before the schema it needs goes
//     (consecutive deploys collapse into one deploy of the earliest version);
//   - a final pause on the old version is the window in which its health is judged (model/rollback.ts).
import type { Rollback, SqlStep, Step, Variant } from '../scenario.ts';

export const HEALTH_STEP = 'old-code-health';
export const DEFAULT_HEALTH_SECONDS = 3;

export interface RollbackPlan {
  variant: Variant;
  lastReversibleStep: string;
  notRun: string[];
  oldVersion: string;
  healthStep: string;
}

const sqlOf = (r: Rollback): string[] => (typeof r === 'string' ? [r] : Array.isArray(r) ? r : typeof r.sql === 'string' ? [r.sql] : r.sql);

/** The step that undoes `step` (a sql step), or null when there is nothing to undo. */
function undoStep(step: Extract<Step, { kind: 'sql' | 'backfill' }>, name: string): SqlStep | null {
  const r = step.rollback!;
  const sql = sqlOf(r);
  if (sql.length === 0) return null;
  const own = typeof r === 'object' && !Array.isArray(r) ? r : {};
  const inherited = step.kind === 'sql' ? { lockTimeoutMs: step.lockTimeoutMs, retries: step.retries, backoffMs: step.backoffMs } : {};
  const settings = Object.fromEntries(Object.entries({ ...inherited, ...own, sql: undefined }).filter(([, v]) => v !== undefined));
  return { kind: 'sql', name, sql, phase: 'rollback', ...settings };
}

export function planRollback(variantName: string, v: Variant, initialVersion: string, healthSeconds = DEFAULT_HEALTH_SECONDS): RollbackPlan | { problem: string } {
  let end = -1; // index of the last step with an effect that can be undone
  let stopper: Step | null = null;
  for (const [i, st] of v.steps.entries()) {
    if (st.kind === 'sql' && st.rollback === undefined) { stopper = st; break; }
    if (st.kind === 'deploy' || ((st.kind === 'sql' || st.kind === 'backfill') && st.rollback !== undefined)) end = i;
  }
  if (end < 0) {
    return { problem: `variant "${variantName}" has nothing to roll back: ${stopper ? `its first change, step ${stopper.name}, declares no rollback` : 'no step changes the schema or the app version'}. Declare \`rollback\` on its sql steps (see scenarios/README.md#rollback).` };
  }
  const forward = v.steps.slice(0, end + 1).map((st) => ({ ...st, phase: 'forward' as const }));
  const names = new Set(v.steps.map((s) => s.name));
  const unique = (base: string) => {
    let n = base;
    for (let k = 2; names.has(n); k++) n = `${base}-${k}`;
    names.add(n);
    return n;
  };
  // The version each deploy replaced.
  const before = new Map<Step, string>();
  let version = initialVersion;
  for (const st of forward) if (st.kind === 'deploy') { before.set(st, version); version = st.version; }

  const undo: Step[] = [];
  // Deploys met in reverse order, not yet emitted: they collapse into one deploy of the earliest version.
  let pendingDeploy: string | null = null;
  const flushDeploy = () => {
    if (pendingDeploy !== null) undo.push({ kind: 'deploy', name: unique(`rollback-deploy-${pendingDeploy}`), version: pendingDeploy, phase: 'rollback' });
    pendingDeploy = null;
  };
  for (const st of [...forward].reverse()) {
    if (st.kind === 'deploy') {
      pendingDeploy = before.get(st)!;
      continue;
    }
    if ((st.kind === 'sql' || st.kind === 'backfill') && st.rollback !== undefined) {
      flushDeploy();
      const u = undoStep(st, unique(`rollback-${st.name}`));
      if (u) undo.push(u);
    }
  }
  flushDeploy();
  undo.push({ kind: 'pause', name: unique(HEALTH_STEP), seconds: healthSeconds, phase: 'rollback' });
  const plan = {
    variant: {
      ...v, description: `${v.description} Rehearsed with its rollback: forward to ${forward[end]!.name}, then undone under load.`, steps: [...forward, ...undo],
      rollbackPlan: { lastReversibleStep: forward[end]!.name, notRun: v.steps.slice(end + 1).map((s) => s.name), oldVersion: initialVersion, healthStep: undo.at(-1)!.name },
    },
    lastReversibleStep: forward[end]!.name,
    notRun: v.steps.slice(end + 1).map((s) => s.name),
    oldVersion: initialVersion,
    healthStep: undo.at(-1)!.name,
  };
  return plan;
}
