// --harden: beside each variant, the same migration rewritten by the safe patterns
// (sql/harden.ts), rehearsed on the same data and load. Only sql steps change; deploys, backfills
// and pauses stay as they are. The variant records every rewrite with before and after.
import type { HardenRewrite } from '../model/schema.ts';
import { stepStatements } from '../runner/sql-step.ts';
import type { ScenarioDefinition, SqlStep, Step, Variant } from '../scenario.ts';
import { hardenReady, hardenStatements, unitsToSql } from '../sql/harden.ts';

/** A statement that blocks writes waits at most this long in the lock queue before it is retried. */
export const HARDEN_LOCK_TIMEOUT_MS = 500;
export const HARDEN_RETRIES = 20;

export const hardenedName = (variant: string): string => `${variant}-hardened`;

export async function hardenVariant(name: string, v: Variant): Promise<Variant> {
  await hardenReady();
  const createdTables = new Set<string>();
  const rewrites: HardenRewrite[] = [];
  const steps: Step[] = [];
  for (const st of v.steps) {
    if (st.kind !== 'sql') { steps.push(st); continue; }
    const lockTimeoutMs = st.lockTimeoutMs ?? HARDEN_LOCK_TIMEOUT_MS;
    const r = hardenStatements(await stepStatements(st), { lockTimeoutMs, grouped: st.transaction !== false, createdTables, step: st.name });
    rewrites.push(...r.rewrites);
    if (!r.rewrites.length) { steps.push(st); continue; }
    const hardened: SqlStep = {
      kind: 'sql', name: st.name, sql: unitsToSql(r.units, lockTimeoutMs),
      // The lock_timeout is set per transaction in the SQL (never on a CONCURRENTLY build, which
      // a timeout would leave INVALID); a 55P03 retries the transaction that failed.
      retries: st.retries ?? HARDEN_RETRIES,
      ...(st.backoffMs !== undefined ? { backoffMs: st.backoffMs } : {}),
      ...(st.expectError ? { expectError: st.expectError } : {}),
      ...(st.rollback !== undefined ? { rollback: st.rollback } : {}),
      ...(st.phase ? { phase: st.phase } : {}),
    };
    steps.push(hardened);
  }
  return {
    description: `${v.description} Hardened by --harden: ${rewrites.length} statement${rewrites.length === 1 ? '' : 's'} rewritten by the safe patterns.`,
    steps,
    hardening: { from: name, rewrites },
    ...(v.rollbackPlan ? { rollbackPlan: v.rollbackPlan } : {}),
  };
}

/** The scenario with `<variant>-hardened` after each of `variants`; the variants to run, in order. */
export async function withHardenedVariants(s: ScenarioDefinition, variants: string[]): Promise<{ scenario: ScenarioDefinition; variants: string[] }> {
  const out: Record<string, Variant> = { ...s.variants };
  const order: string[] = [];
  for (const name of variants) {
    order.push(name);
    if (s.variants[name]!.hardening) continue;
    out[hardenedName(name)] = await hardenVariant(name, s.variants[name]!);
    order.push(hardenedName(name));
  }
  return { scenario: { ...s, variants: out }, variants: order };
}
