// Budgets turn measurements into a verdict. Declared as data, each with why (like k6 thresholds).
import type { BudgetCheck, Budgets } from './schema.ts';

export const DEFAULT_BUDGETS: Budgets = {
  // A second with requests in flight and none completing is an outage users notice.
  maxStallMs: 1000,
  // 1 in 1000 requests failing is already a page for most on-call rotations.
  maxErrorRate: 0.001,
};

export function checkBudgets(budgets: Budgets, actual: { longestStallMs: number; errorRate: number }): BudgetCheck[] {
  return [
    { name: 'maxStallMs', limit: budgets.maxStallMs, actual: actual.longestStallMs, ok: actual.longestStallMs < budgets.maxStallMs },
    { name: 'maxErrorRate', limit: budgets.maxErrorRate, actual: actual.errorRate, ok: actual.errorRate < budgets.maxErrorRate },
  ];
}
