// `rehearse [scenario…] | --all`: plans every scenario and runs the preflight checks first (bad
// input is reported before anything is provisioned, all problems together), rehearses them one
// after the other, prints each summary, and writes the CI outputs (JUnit, Markdown summary, index
// page) for all of them. A run stopped early (Ctrl-C, Postgres dying) still prints its summary,
// where its partial report is, and one line saying why.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFindings, type Claim, type MachineInfo } from '../report/render-findings.ts';
import { RehearseError } from '../errors.ts';
import { findConfig, loadConfig } from '../plan/config.ts';
import { listScenarioNames } from '../plan/load-scenario.ts';
import { planOwnMigration } from '../plan/own-migration.ts';
import { planScenarioRun, shapeRun, type RunPlan } from '../plan/plan-run.ts';
import { preflight } from '../plan/preflight.ts';
import { resolveRunInput, type RunInput } from '../plan/run-input.ts';
import type { RunReport } from '../model/schema.ts';
import { formatConsoleSummary } from '../report/format-console.ts';
import { rehearse } from '../runner/rehearse.ts';
import { SeedCache } from '../postgres/seed-cache.ts';
import type { CliOptions } from './args.ts';
import { writeCiOutputs } from './ci-outputs.ts';
import { EXIT, worstExit, type ExitCode } from './exit-codes.ts';
import type { LiveView } from './live-view.ts';

export interface RunContext {
  view: LiveView;
  signal: AbortSignal;
  toolVersion: string;
  out: (line: string) => void;
  err: (line: string) => void;
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
    try {
      const shape = { harden: input.harden, rehearseRollback: input.rehearseRollback };
      const plan = input.own
        ? await shapeRun(await planOwnMigration(input), shape, input.variants.length > 0)
        : await planScenarioRun({ scenario: input.scenario!, variants: input.variants, migration: input.migration, ...shape });
      for (const note of await preflight({ outDir: input.out, rows: input.rows, scenario: plan.scenario, pgPort: opts.pgPort })) ctx.out(`note: ${note}`);
      planned.push({ input, plan });
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
  if (ctx.signal.aborted) throw ctx.signal.reason;
  for (const { input, plan } of planned) {
    if (ctx.signal.aborted) break;
    const run = rehearse({
      ...plan,
      rows: input.rows, seed: input.seed,
      ...(input.scales.length ? { scales: input.scales, productionRows: input.productionRows } : {}),
      load: { ...input.load, capacityFraction: 0.4 },
      instances: input.instances,
      slowStartMs: input.slowStartMs,
      appSettings: input.appSettings,
      sampleIntervalMs: input.sampleIntervalMs,
      budgets: input.budgets,
      background: input.background,
      postgresSpecs: input.postgres,
      cache: input.cache ? new SeedCache({ log: ctx.view.log }) : null,
      calibrate: opts.calibrate,
      outDir: input.out, pgPort: opts.pgPort, log: ctx.view.log, onSeedProgress: ctx.view.onSeedProgress, progress: ctx.view.progress, signal: ctx.signal, toolVersion: ctx.toolVersion,
    });
    try {
      const { report, paths, error } = await run;
      ctx.view.stop();
      if (report.variants.length > 0) ctx.out(`\n${formatConsoleSummary(report)}`);
      if (paths) {
        ctx.out(`\nreport: ${paths.html}\n        ${paths.json}`);
        reports.push(report);
        htmlFiles.push(paths.html);
      }
      if (error) {
        const where = paths ? `partial report: ${paths.html}` : error.code === 'REH_INTERRUPTED' ? 'no report was written' : 'the report could not be written';
        if (error.code === 'REH_INTERRUPTED') ctx.err(`${error.message} during ${report.stoppedDuring ?? 'the run'} (REH_INTERRUPTED); ${where}`);
        else ctx.err(`${error.format()}\n  ${report.stoppedDuring ? `stopped during ${report.stoppedDuring}; ` : ''}${where}`);
        codes.push(error.code === 'REH_INTERRUPTED' ? EXIT.interrupted : EXIT.error);
      } else if (ctx.signal.aborted) {
        // The signal came after the last measurement (while the report was written): complete, but interrupted.
        ctx.err(`${(ctx.signal.reason as Error).message} after the last measurement (REH_INTERRUPTED); the report is complete${paths ? `: ${paths.html}` : ''}`);
        codes.push(EXIT.interrupted);
      } else codes.push(exitFor(report, input.failOnBreach, false));
    } catch (err) {
      // Nothing measured (stopped before seeding finished): with several scenarios, one that
      // breaks the harness does not stop the others; an interrupt stops them all.
      if (planned.length === 1 || ctx.signal.aborted) throw err;
      ctx.view.stop();
      ctx.err(err instanceof RehearseError ? err.format() : String(err));
      codes.push(EXIT.error);
    }
  }
  writeCiOutputs(reports, { junit: opts.junit, summaryMd: opts.summaryMd, indexDir: planned.length > 1 || opts.all ? out : undefined, htmlFiles, log: ctx.out });
  if (planned.length > 1) ctx.out(`\n${reports.length} of ${planned.length} scenarios reported; index: ${path.join(out, 'index.html')}`);
  const load = machine.stop();
  if (findingsFile && reports.length) {
    const claims = ((await import(CLAIMS_MODULE)) as { CLAIMS: Claim[] }).CLAIMS;
    const command = `npm run rehearse -- ${process.argv.slice(2).join(' ')}`.trim();
    writeFileSync(findingsFile, renderFindings(reports, { claims, machine: load, command, durationMs: Date.now() - started }));
    ctx.out(`findings: ${findingsFile}`);
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
