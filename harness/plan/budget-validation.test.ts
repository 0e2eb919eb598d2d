import { describe, expect, it } from 'vitest';
import { sampleApp } from '../../sample-app/app.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { validateScenario } from './load-scenario.ts';

const scenario = (budgets: Record<string, unknown>): ScenarioDefinition => ({
  name: 's', description: 'd', app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: { safe: { description: 'x', steps: [{ kind: 'pause', name: 'wait', seconds: 0 }] } },
  budgets: budgets as ScenarioDefinition['budgets'],
});

describe('scenario budgets', () => {
  it('should accept budgets on steps and variants the scenario has', async () => {
    expect(await validateScenario(scenario({ maxStallMs: 500, 'stepDurationMs{step:wait}': 100, 'longestStallMs{variant:safe}': { limit: 1, abortOnFail: true } }))).toEqual([]);
  });

  it('should report every bad budget at once: unknown metric, missing step or variant, bad limit', async () => {
    const problems = (await validateScenario(scenario({ stall: 1, 'longestStallMs{step:contract}': 5, 'p99Ms{variant:naive}': 5, maxErrorRate: 2 }))).map((p) => p.message);
    expect(problems).toEqual([
      expect.stringContaining('unknown budget metric "stall"'),
      expect.stringContaining('maxErrorRate: errorRate is a fraction of requests'),
    ]);
    const scopes = (await validateScenario(scenario({ 'longestStallMs{step:contract}': 5, 'p99Ms{variant:naive}': 5 }))).map((p) => p.message);
    expect(scopes).toEqual([
      'budgets: longestStallMs{step:contract}: no variant has a step "contract" (steps: wait)',
      'budgets: p99Ms{variant:naive}: no variant "naive" (variants: safe)',
    ]);
  });
});
