// The `rehearse` process: signals, cleanup and the exit code around runCli(). Ctrl-C stops the
// run, which still writes its partial report; a second Ctrl-C skips the report. Either way
// Postgres, app processes and temp dirs are cleaned up before the process exits.
import { RehearseError } from '../errors.ts';
import { installSignalHandlers, interruptedBy, runAllCleanups, SIGNAL_EXIT_CODES } from '../cleanup.ts';
import { redactSecrets } from '../redact.ts';
import { EXIT } from './exit-codes.ts';
import { createLiveView } from './live-view.ts';
import { runCli } from './run-cli.ts';

export { EXIT };

// Stopping the load, joining measurements and writing the report takes seconds; a run that
// still has not returned after this long is cut short (cleanup still runs).
const GRACE_MS = 30_000;

const abort = new AbortController();
const view = createLiveView();
installSignalHandlers({
  graceMs: GRACE_MS,
  onInterrupt: (signal) => {
    view.stop();
    abort.abort(new RehearseError('REH_INTERRUPTED', `interrupted by ${signal}`));
  },
});

/** A bug, not a user error: one paragraph, the stack only on request. */
const internalError = (err: unknown): string =>
  redactSecrets(`error REH_INTERNAL: ${(err as Error)?.message ?? err}${process.env.REHEARSE_DEBUG ? `\n${(err as Error)?.stack}` : '\n  hint: rerun with REHEARSE_DEBUG=1 for the stack trace, and please report it.'}`);
const exitCodeAfterFailure = (): number => (interruptedBy() ? SIGNAL_EXIT_CODES[interruptedBy()!]! : EXIT.error);

// Anything that escapes (an emitter without a listener, a stray rejection) still cleans up.
const crash = (err: unknown) => {
  console.error(internalError(err));
  void runAllCleanups().finally(() => process.exit(exitCodeAfterFailure()));
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

let code: number;
try {
  code = await runCli(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    signal: abort.signal,
    interruptExitCode: () => SIGNAL_EXIT_CODES[interruptedBy() ?? 'SIGINT'] ?? EXIT.interrupted,
    view,
  });
} catch (err) {
  console.error(internalError(err));
  code = exitCodeAfterFailure();
}
await runAllCleanups();
// A signal after the run returned (while cleaning up): the work is done, but the exit code still says interrupted.
const signal = interruptedBy();
if (signal && code !== SIGNAL_EXIT_CODES[signal]) {
  console.error(`interrupted by ${signal} while cleaning up, after the run finished (REH_INTERRUPTED)`);
  code = SIGNAL_EXIT_CODES[signal] ?? EXIT.interrupted;
}
process.exit(code);
