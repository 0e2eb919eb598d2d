// Runs rehearse() in-process for integration tests: small data, fixed rate, temp report dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScenario, resolveScenarioFile } from '../plan/load-scenario.ts';
import type { AppSettings } from '../app/types.ts';
import type { PostgresHandle } from '../postgres/provider.ts';
import { rehearse, type RehearseOptions, type RehearseResult } from '../runner/rehearse.ts';
import type { WarmupSetting } from '../runner/warm-up.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { shapeRun, type RunShape } from '../plan/plan-run.ts';
import type { RunBackground } from '../runner/run-variant.ts';

export interface TestRunOptions {
  variants?: string[];
  rows: number;
  rate?: number;
  log?: boolean;
  instances?: number;
  signal?: AbortSignal;
  /** Reuse a running server (several runs in one test file). */
  postgres?: PostgresHandle;
  /** Servers to start, as --postgres/--pg give them (e.g. a version matrix); default one embedded. */
  postgresSpecs?: RehearseOptions['postgresSpecs'];
  /** A warm-start cache (give it a temp dir); default none. */
  cache?: RehearseOptions['cache'];
  /** Called with every log line as it is written (e.g. to act at a given step). */
  onLog?: (line: string) => void;
  scales?: RehearseOptions['scales'];
  productionRows?: Record<string, number>;
  appSettings?: Partial<AppSettings>;
  budgets?: RehearseOptions['budgets'];
  /** Change the scenario before it runs, e.g. to inject a regression. */
  edit?: (s: ScenarioDefinition) => ScenarioDefinition;
  outDir?: string;
  /** Default: a fixed second (a test's length stays predictable); tests of warm-up itself ask for auto. */
  warmup?: WarmupSetting;
  slowStartMs?: number;
  /** Sessions beside every variant, as --background. */
  background?: RunBackground[];
  /** --harden / --rehearse-rollback. */
  shape?: RunShape;
}

/** Any outcome, including a run stopped early (result.error). */
export async function rehearseForTestResult(scenario: string, opts: TestRunOptions): Promise<RehearseResult & { logs: string[]; outDir: string }> {
  const scenarioFile = resolveScenarioFile(scenario);
  const loaded = await loadScenario(scenarioFile);
  const edited = opts.edit ? opts.edit(loaded) : loaded;
  const shaped = await shapeRun({ scenario: edited, scenarioFile, variants: opts.variants ?? Object.keys(edited.variants) }, opts.shape ?? {});
  const def = shaped.scenario;
  const outDir = opts.outDir ?? mkdtempSync(path.join(tmpdir(), 'rehearse-test-reports-'));
  const logs: string[] = [];
  const result = await rehearse({
    scenario: def, scenarioFile, variants: shaped.variants, background: opts.background, rows: { default: opts.rows, tables: {} }, seed: 7, scales: opts.scales, productionRows: opts.productionRows,
    load: { model: 'open', rate: opts.rate, connections: 16, timeoutMs: 30_000, capacityFraction: 0.4, warmup: opts.warmup ?? { mode: 'fixed', ms: 1000 } },
    instances: opts.instances ?? 2, slowStartMs: opts.slowStartMs, sampleIntervalMs: 100, outDir, toolVersion: 'test', postgres: opts.postgres, postgresSpecs: opts.postgresSpecs, cache: opts.cache, budgets: opts.budgets, appSettings: opts.appSettings,
    log: (l) => { logs.push(l); opts.onLog?.(l); if (opts.log) console.log(l); }, signal: opts.signal ?? new AbortController().signal,
  });
  return { ...result, logs, outDir };
}

/** A run that must complete and write its report. */
export async function rehearseForTest(scenario: string, opts: TestRunOptions) {
  const r = await rehearseForTestResult(scenario, opts);
  if (r.error) throw r.error;
  if (!r.paths) throw new Error('the report was not written');
  return { ...r, paths: r.paths };
}
