// Runs rehearse() in-process for integration tests: small data, fixed rate, temp report dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScenario, resolveScenarioFile } from '../plan/load-scenario.ts';
import type { AppSettings } from '../app/types.ts';
import { rehearse, type RehearseOptions } from '../runner/rehearse.ts';
import type { WarmupSetting } from '../runner/warm-up.ts';
import type { ScenarioDefinition } from '../scenario.ts';

export async function rehearseForTest(scenario: string, opts: {
  variants?: string[]; rows: number; rate?: number; log?: boolean; scales?: RehearseOptions['scales']; productionRows?: Record<string, number>;
  appSettings?: Partial<AppSettings>;
  /** Reuse a running server (several runs in one test file). */
  postgres?: RehearseOptions['postgres'];
  budgets?: RehearseOptions['budgets'];
  /** Change the scenario before it runs, e.g. to inject a regression. */
  edit?: (s: ScenarioDefinition) => ScenarioDefinition;
  outDir?: string;
  /** Default: auto, as in a real run. */
  warmup?: WarmupSetting;
  slowStartMs?: number;
}) {
  const scenarioFile = resolveScenarioFile(scenario);
  const loaded = await loadScenario(scenarioFile);
  const def = opts.edit ? opts.edit(loaded) : loaded;
  const outDir = opts.outDir ?? mkdtempSync(path.join(tmpdir(), 'rehearse-test-reports-'));
  const logs: string[] = [];
  const result = await rehearse({
    scenario: def, scenarioFile, variants: opts.variants ?? Object.keys(def.variants), rows: { default: opts.rows, tables: {} }, seed: 7, scales: opts.scales, productionRows: opts.productionRows,
    load: { model: 'open', rate: opts.rate, connections: 16, timeoutMs: 30_000, capacityFraction: 0.4, warmup: opts.warmup },
    instances: 2, slowStartMs: opts.slowStartMs, sampleIntervalMs: 100, outDir, toolVersion: 'test', postgres: opts.postgres, budgets: opts.budgets, appSettings: opts.appSettings,
    log: (l) => { logs.push(l); if (opts.log) console.log(l); }, signal: new AbortController().signal,
  });
  return { ...result, logs, outDir };
}
