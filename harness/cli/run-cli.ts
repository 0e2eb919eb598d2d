// The `rehearse` command as a function: parse flags, dispatch the subcommand, and return the exit
// code CI acts on. Every problem the user can cause is printed as a coded paragraph, never a
// stack trace. The process entry (main.ts) adds signals, cleanup and process.exit; tests call
// this directly.
import { readFileSync } from 'node:fs';
import { RehearseError, type ErrorCode } from '../errors.ts';
import { listScenarioNames, loadScenario, resolveScenarioFile } from '../plan/load-scenario.ts';
import { redactSecrets } from '../redact.ts';
import { HELP, parseCli } from './args.ts';
import { cacheCommand } from './cache-command.ts';
import { compareCommand } from './compare-command.ts';
import { EXIT } from './exit-codes.ts';
import { createLiveView, type LiveView } from './live-view.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';

/** Problems found before anything ran: the user's to fix (exit 2). */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'REH_SCENARIO_INVALID', 'REH_CONFIG_INVALID', 'REH_INPUT_NOT_FOUND', 'REH_BUDGET_INVALID', 'REH_REPORT_INVALID', 'REH_COMPARE_MISMATCH',
  'REH_OUT_NOT_WRITABLE', 'REH_DISK_SPACE', 'REH_PORT_UNAVAILABLE',
  'REH_PG_SPEC_INVALID', 'REH_PG_MAJOR_UNAVAILABLE', 'REH_PG_URL_NOT_DISPOSABLE',
]);

export const exitCodeOf = (err: RehearseError, interruptCode: number = EXIT.interrupted): number =>
  err.code === 'REH_INTERRUPTED' ? interruptCode : err.code.startsWith('REH_CLI_') || BAD_INPUT.has(err.code) ? EXIT.badInput : EXIT.error;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborted by the entry on Ctrl-C/SIGTERM; its reason is a REH_INTERRUPTED error naming the signal. */
  signal: AbortSignal;
  /** Exit code for an interruption (130 for SIGINT, 143 for SIGTERM…). */
  interruptExitCode?: () => number;
  /** What a person watching sees (default: the live view on stdout). */
  view?: LiveView;
}

/** Runs the command; never throws for anything the user can cause. Every line printed is redacted. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = (l: string) => io.out(redactSecrets(l));
  const err = (l: string) => io.err(redactSecrets(l));
  const interruptCode = () => io.interruptExitCode?.() ?? EXIT.interrupted;
  try {
    const code = await run(argv, { ...io, out, err });
    return code === EXIT.interrupted ? interruptCode() : code;
  } catch (e) {
    if (!(e instanceof RehearseError)) throw e;
    if (e.code === 'REH_INTERRUPTED') err(`${e.message} (REH_INTERRUPTED); nothing was measured yet, so no report was written`);
    else err(e.format());
    return exitCodeOf(e, interruptCode());
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const opts = parseCli(argv);
  if (opts.help) return void io.out(HELP), EXIT.ok;
  if (opts.version) return void io.out(VERSION), EXIT.ok;
  if (opts.list) {
    for (const name of listScenarioNames()) {
      const s = await loadScenario(resolveScenarioFile(name));
      io.out(`${name}: ${s.description}`);
      for (const [v, def] of Object.entries(s.variants)) io.out(`  --variant ${v}: ${def.description}`);
    }
    return EXIT.ok;
  }
  if (opts.command === 'report') return reportCommand(opts, io.out);
  if (opts.command === 'compare') return compareCommand(opts, io.out);
  if (opts.command === 'cache') return cacheCommand(opts, io.out);
  return runCommand(opts, { view: io.view ?? createLiveView(), signal: io.signal, toolVersion: VERSION, out: io.out, err: io.err });
}
