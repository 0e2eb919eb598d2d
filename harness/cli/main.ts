// The `rehearse` command: parse flags, hand them to the harness, print the summary, exit with a
// code CI can act on. Ctrl-C stops the run, still writes the partial report, and cleans up.
import { readFileSync } from 'node:fs';
import { RehearseError } from '../errors.ts';
import { installSignalCleanup, runAllCleanups } from '../cleanup.ts';
import { listScenarioNames, loadScenario, resolveScenarioFile } from '../plan/load-scenario.ts';
import { HELP, parseCli } from './args.ts';
import { compareCommand } from './compare-command.ts';
import { EXIT } from './exit-codes.ts';
import { createLiveView } from './live-view.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';

export { EXIT };

/** Bad input, not a broken harness: exit 2. */
const BAD_INPUT_CODES = new Set(['REH_SCENARIO_INVALID', 'REH_BUDGET_INVALID', 'REH_REPORT_INVALID', 'REH_COMPARE_MISMATCH']);

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
  if (opts.command === 'report') return reportCommand(opts, (l) => console.log(l));
  if (opts.command === 'compare') return compareCommand(opts, (l) => console.log(l));

  const abort = new AbortController();
  let finished: Promise<unknown> = Promise.resolve();
  const view = createLiveView();
  installSignalCleanup(async () => {
    abort.abort();
    view.stop();
    // Give the run a bounded moment to stop its load and write the partial report.
    await Promise.race([finished.catch(() => {}), new Promise((r) => setTimeout(r, 20_000))]);
  });
  return runCommand(opts, { view, signal: abort.signal, toolVersion: VERSION, onRunStarted: (run) => void (finished = run) });
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
      process.exit(err.code.startsWith('REH_CLI_') || BAD_INPUT_CODES.has(err.code) ? EXIT.badInput : err.code === 'REH_INTERRUPTED' ? EXIT.interrupted : EXIT.error);
    }
    console.error(err);
    process.exit(EXIT.error);
  });
