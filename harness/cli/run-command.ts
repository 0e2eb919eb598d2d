// `rehearse [scenario…] | --all`: plans every scenario first (bad input is reported before
// anything runs, all problems together), rehearses them one after the other, prints each
// summary, and writes the CI outputs (JUnit, Markdown summary, index page) for all of them.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFindings, type Claim, type MachineInfo } from '../report/render-findings.ts';
import { RehearseError } from '../errors.ts';
import { findConfig, loadConfig } from '../plan/config.ts';
import { listScenarioNames } from '../plan/load-scenario.ts';
import { planScenarioRun, type RunPlan } from '../plan/plan-run.ts';
import { resolveRunInput, type RunInput } from '../plan/run-input.ts';
import type { RunReport } from '../model/schema.ts';
import { formatConsoleSummary } from '../report/format-console.ts';
import { rehearse } from '../runner/rehearse.ts';
import type { CliOptions } from './args.ts';
import { writeCiOutputs } from './ci-outputs.ts';
import { EXIT, worstExit, type ExitCode } from './exit-codes.ts';
import type { LiveView } from './live-view.ts';

export interface RunContext {
  view: LiveView;
  signal: AbortSignal;
  toolVersion: string;
  /** Set to the run in progress, so Ctrl-C can wait for its partial report. */
  onRunStarted: (run: Promise<unknown>) => void;
}

export async function runCommand(opts: CliOptions, ctx: RunContext): Promise<ExitCode> {
  const configFile = opts.config ?? findConfig(process.cwd());
  const config = configFile ? await loadConfig(configFile) : null;
  const names = opts.all ? listScenarioNames() : opts.scenarios.length > 1 ? opts.scenarios : [null];
  const planned: { input: RunInput; plan: RunPlan }[] = [];
  const problems: RehearseError[] = [];
  for (const name of names) {
    const cli: CliOptions = name === null ? opts : { ...opts, scenario: name, explicit: new Set([...opts.explicit, 'scenario']) };
    const input = resolveRunInput(cli, config);
    // TODO(lead): the own-migration planner lands with the schema dataset and the workload app.
    if (input.own) throw new RehearseError('REH_CLI_BAD_VALUE', '--schema/--migrations are not wired yet in this build');
    try {
      planned.push({ input, plan: await planScenarioRun({ scenario: input.scenario!, variants: input.variants, migration: input.migration, harden: input.harden, rehearseRollback: input.rehearseRollback }) });
    } catch (err) {
      if (!(err instanceof RehearseError)) throw err;
      problems.push(err);
    }
  }
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) throw new RehearseError(problems[0]!.code, problems.map((p) => p.format()).join('\n'), { hint: 'Fix every scenario listed above.' });

  const findingsFile = opts.findings ?? (opts.all ? DEFAULT_FINDINGS : undefined);
  const machine = watchMachine();
  const started = Date.now();
  const reports: RunReport[] = [];
  const htmlFiles: string[] = [];
  const codes: ExitCode[] = [];
  const out = planned[0]?.input.out ?? opts.out;
  for (const { input, plan } of planned) {
    if (ctx.signal.aborted) break;
    const run = rehearse({
      ...plan,
      rows: input.rows, seed: input.seed,
      ...(input.scales.length ? { scales: input.scales, productionRows: input.productionRows } : {}),
      load: { ...input.load, capacityFraction: 0.4 },
      instances: input.instances,
      appSettings: input.appSettings,
      sampleIntervalMs: input.sampleIntervalMs,
      budgets: input.budgets,
      background: input.background,
      calibrate: opts.calibrate,
      outDir: input.out, log: ctx.view.log, onSeedProgress: ctx.view.onSeedProgress, progress: ctx.view.progress, signal: ctx.signal, toolVersion: ctx.toolVersion,
    });
    ctx.onRunStarted(run);
    try {
      const { report, paths } = await run;
      ctx.view.stop();
      console.log(`\n${formatConsoleSummary(report)}`);
      console.log(`\nreport: ${paths.html}\n        ${paths.json}`);
      reports.push(report);
      htmlFiles.push(paths.html);
      codes.push(exitFor(report, input.failOnBreach, ctx.signal.aborted));
    } catch (err) {
      // With several scenarios, one that breaks the harness does not stop the others.
      if (planned.length === 1 || ctx.signal.aborted) throw err;
      ctx.view.stop();
      console.error(err instanceof RehearseError ? err.format() : err);
      codes.push(EXIT.error);
    }
  }
  writeCiOutputs(reports, { junit: opts.junit, summaryMd: opts.summaryMd, indexDir: planned.length > 1 || opts.all ? out : undefined, htmlFiles, log: (l) => console.log(l) });
  if (planned.length > 1) console.log(`\n${reports.length} of ${planned.length} scenarios reported; index: ${path.join(out, 'index.html')}`);
  const load = machine.stop();
  if (findingsFile && reports.length) {
    const claims = ((await import(CLAIMS_MODULE)) as { CLAIMS: Claim[] }).CLAIMS;
    const command = `npm run rehearse -- ${process.argv.slice(2).join(' ')}`.trim();
    writeFileSync(findingsFile, renderFindings(reports, { claims, machine: load, command, durationMs: Date.now() - started }));
    console.log(`findings: ${findingsFile}`);
  }
  return worstExit(codes);
}

/** The exit code one report calls for. */
export function exitFor(report: RunReport, failOnBreach: boolean, interrupted: boolean): ExitCode {
  if (interrupted) return EXIT.interrupted;
  // An abortOnFail budget stopped the migration: that is a budget breach, not a broken step.
  if (report.variants.some((v) => v.summary.aborted)) return EXIT.budgetBreached;
  if (!report.summary.completed) return EXIT.stepFailed;
  if (failOnBreach && report.summary.verdict === 'fail') return EXIT.budgetBreached;
  return EXIT.ok;
}

const DEFAULT_FINDINGS = fileURLToPath(new URL('../../docs/findings.md', import.meta.url));
const CLAIMS_MODULE = new URL('../../scenarios/findings/claims.ts', import.meta.url).href;

/** Samples the machine's 1-minute load average every 5 s, so a findings page says how busy the machine was. */
function watchMachine(): { stop(): MachineInfo } {
  const loadStart = os.loadavg()[0]!;
  let loadMax = loadStart;
  const timer = setInterval(() => { loadMax = Math.max(loadMax, os.loadavg()[0]!); }, 5000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      const loadEnd = os.loadavg()[0]!;
      return { cpus: os.cpus().length, loadStart, loadEnd, loadMax: Math.max(loadMax, loadEnd) };
    },
  };
}
