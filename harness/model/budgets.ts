// Budgets turn measurements into a verdict. Declared as data, each with why (like k6 thresholds).
// A limit is the most allowed: a budget passes when actual <= limit (as k6's `<=` thresholds), so
// `maxErrorRate: 0` passes a run with no errors and a stall exactly at maxStallMs passes.
import type { BudgetCheck, Budgets } from './schema.ts';

export const DEFAULT_BUDGETS: Budgets = {
  // A second with requests in flight and none completing is an outage users notice.
  maxStallMs: 1000,
  // 1 in 1000 requests failing is already a page for most on-call rotations.
  maxErrorRate: 0.001,
};

/** The one comparison every budget uses; renderers print `<=` for a pass and `>` for a breach. */
export const withinBudget = (actual: number, limit: number): boolean => actual <= limit;

export function checkBudgets(budgets: Budgets, actual: { longestStallMs: number; errorRate: number }): BudgetCheck[] {
  return [
    { name: 'maxStallMs', limit: budgets.maxStallMs, actual: actual.longestStallMs, ok: withinBudget(actual.longestStallMs, budgets.maxStallMs) },
    { name: 'maxErrorRate', limit: budgets.maxErrorRate, actual: actual.errorRate, ok: withinBudget(actual.errorRate, budgets.maxErrorRate) },
  ];
}
