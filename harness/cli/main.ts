// The `rehearse` command: parse flags, hand them to the harness, print the summary, exit with a
// code CI can act on. Ctrl-C stops the run, still writes the partial report, and cleans up.
import { readFileSync } from 'node:fs';
import { RehearseError } from '../errors.ts';
import { installSignalCleanup, runAllCleanups } from '../cleanup.ts';
import { listScenarioNames, loadScenario, resolveScenarioFile } from '../plan/load-scenario.ts';
import { findConfig, loadConfig } from '../plan/config.ts';
import { planScenarioRun } from '../plan/plan-run.ts';
import { resolveRunInput } from '../plan/run-input.ts';
import { formatConsoleSummary } from '../report/format-console.ts';
import { rehearse } from '../runner/rehearse.ts';
import { createSeedProgress } from '../seed/progress.ts';
import { HELP, parseCli } from './args.ts';

export const EXIT = { ok: 0, error: 1, badInput: 2, budgetBreached: 3, stepFailed: 4, interrupted: 130 } as const;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(argv: string[]): Promise<number> {
  const opts = parseCli(argv);
  if (opts.help) return void console.log(HELP), EXIT.ok;
  if (opts.version) return void console.log(VERSION), EXIT.ok;
  if (opts.list) {
    for (const name of listScenarioNames()) {
      const s = await loadScenario(resolveScenarioFile(name));
      console.log(`${name}: ${s.description}`);
      for (const [v, def] of Object.entries(s.variants)) console.log(`  --variant ${v}: ${def.description}`);
    }
    return EXIT.ok;
  }
  const configFile = opts.config ?? findConfig(process.cwd());
  const input = resolveRunInput(opts, configFile ? await loadConfig(configFile) : null);
  // TODO(lead): the own-migration planner lands with the schema dataset and the workload app.
  if (input.own) throw new RehearseError('REH_CLI_BAD_VALUE', '--schema/--migrations are not wired yet in this build');
  const plan = await planScenarioRun({ scenario: input.scenario!, variants: input.variants, migration: input.migration });

  const abort = new AbortController();
  let finished: Promise<unknown> = Promise.resolve();
  installSignalCleanup(async () => {
    abort.abort();
    // Give the run a bounded moment to stop its load and write the partial report.
    await Promise.race([finished.catch(() => {}), new Promise((r) => setTimeout(r, 20_000))]);
  });

  const run = rehearse({
    ...plan,
    rows: input.rows, seed: input.seed,
    ...(input.scales.length ? { scales: input.scales, productionRows: input.productionRows } : {}),
    load: { ...input.load, capacityFraction: 0.4 },
    instances: input.instances,
    appSettings: input.appSettings,
    sampleIntervalMs: input.sampleIntervalMs,
    budgets: input.budgets,
    outDir: input.out, log: (l) => console.log(l), onSeedProgress: createSeedProgress(), signal: abort.signal, toolVersion: VERSION,
  });
  finished = run;
  const { report, paths } = await run;
  console.log(`\n${formatConsoleSummary(report)}`);
  console.log(`\nreport: ${paths.html}\n        ${paths.json}`);
  if (abort.signal.aborted) return EXIT.interrupted;
  if (!report.summary.completed) return EXIT.stepFailed;
  if (input.failOnBreach && report.summary.verdict === 'fail') return EXIT.budgetBreached;
  return EXIT.ok;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await runAllCleanups();
    process.exit(code);
  })
  .catch(async (err) => {
    await runAllCleanups();
    if (err instanceof RehearseError) {
      console.error(err.format());
      process.exit(err.code.startsWith('REH_CLI_') || err.code === 'REH_SCENARIO_INVALID' ? EXIT.badInput : err.code === 'REH_INTERRUPTED' ? EXIT.interrupted : EXIT.error);
    }
    console.error(err);
    process.exit(EXIT.error);
  });
