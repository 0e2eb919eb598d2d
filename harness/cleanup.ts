// Process-wide cleanup registry and signal handling. Everything that leaves something behind
// (postgres, app processes, temp dirs) registers here, so Ctrl-C, SIGTERM, an error and a
// normal exit all take the same path. Async cleanups run on the way out; the sync fallbacks run
// on 'exit' (the only thing Node lets us do there) in case the async path was cut short.
//
// Signals: the first SIGINT/SIGTERM/SIGHUP asks the run to stop (it stops its load, writes the
// partial report and returns through its normal path); a second one, or the grace period
// running out, skips the report: cleanups run in a hurry (immediate Postgres shutdown) and the
// process exits. Exit codes are 128 + the signal number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).

export interface Cleanup {
  name: string;
  /** `hurry` is aborted when the user insists (second Ctrl-C): take the fast way out. */
  run: (hurry: AbortSignal) => Promise<void>;
  runSync?: () => void;
}

const cleanups = new Map<number, Cleanup>();
let nextId = 1;
let installed = false;
let running: Promise<void> | null = null;
const hurry = new AbortController();
let received: NodeJS.Signals | null = null;

export const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The signal that interrupted this process, if any. */
export const interruptedBy = (): NodeJS.Signals | null => received;

/**
 * True once the process is being torn down in a hurry (second Ctrl-C, or the grace period ran
 * out): Postgres and the apps are being killed under the run, so nothing measured from now on
 * may be trusted, and no report is written from it.
 */
export const tearingDown = (): boolean => hurry.signal.aborted;

/** Aborted when the process is torn down in a hurry: long stops (Postgres' shutdown) take the fast way. */
export const hurrySignal = (): AbortSignal => hurry.signal;

/** Register a cleanup; returns a function that unregisters it (call after a normal stop). */
export function registerCleanup(c: Cleanup): () => void {
  const id = nextId++;
  cleanups.set(id, c);
  return () => void cleanups.delete(id);
}

/** Run every registered cleanup, newest first (apps before the database they use). */
export function runAllCleanups(): Promise<void> {
  running ??= (async () => {
    for (const [id, c] of [...cleanups.entries()].reverse()) {
      cleanups.delete(id);
      try {
        await c.run(hurry.signal);
      } catch (err) {
        process.stderr.write(`cleanup ${c.name} failed: ${(err as Error).message}\n`);
        c.runSync?.();
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

const runSyncFallbacks = () => {
  for (const [id, c] of [...cleanups.entries()].reverse()) {
    cleanups.delete(id);
    try {
      c.runSync?.();
    } catch {
      // best effort on the way out
    }
  }
};

export interface SignalHandling {
  /** Called once, on the first signal: stop the run (it then finishes through its normal path). */
  onInterrupt: (signal: NodeJS.Signals) => void;
  /** How long the normal path may take after the first signal before we clean up and exit anyway. */
  graceMs: number;
  /** Where the one-line notices go (default stderr). */
  write?: (line: string) => void;
}

/** Install SIGINT/SIGTERM/SIGHUP handling for a command-line process (once per process). */
export function installSignalHandlers(o: SignalHandling): void {
  if (installed) return;
  installed = true;
  const write = o.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  let count = 0;
  const forceExit = async (why: string) => {
    write(why);
    hurry.abort();
    // Bounded: a cleanup that hangs must not keep the user waiting.
    await Promise.race([runAllCleanups(), new Promise((r) => setTimeout(r, 15_000).unref())]);
    runSyncFallbacks();
    process.exit(SIGNAL_EXIT_CODES[received!] ?? 130);
  };
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      received = signal;
      write(`\nreceived ${signal}: stopping, writing the partial report and cleaning up (press Ctrl-C again to skip the report)…`);
      setTimeout(() => void forceExit(`still stopping after ${Math.round(o.graceMs / 1000)} s: skipping the report and cleaning up now…`), o.graceMs).unref();
      o.onInterrupt(signal);
    } else if (count === 2) {
      void forceExit(`received ${signal} again: skipping the report, cleaning up now…`);
    } else {
      // Third time: do only what cannot wait and leave.
      runSyncFallbacks();
      process.exit(SIGNAL_EXIT_CODES[received!] ?? 130);
    }
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
  process.on('exit', runSyncFallbacks);
}

/** For library users and benches that only need "clean up on Ctrl-C, then exit". */
export function installSignalCleanup(): void {
  installSignalHandlers({ onInterrupt: () => void runAllCleanups().then(() => process.exit(SIGNAL_EXIT_CODES[received!] ?? 130)), graceMs: 30_000 });
}
