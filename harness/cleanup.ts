// Process-wide cleanup registry. Everything that leaves something behind (postgres, app
// processes, temp dirs) registers here, so Ctrl-C, SIGTERM, an error and a normal exit all
// take the same path. Async cleanups run on signals; the sync fallbacks run on 'exit'
// (the only thing Node lets us do there) in case the async path was cut short.

type Cleanup = { name: string; run: () => Promise<void>; runSync?: () => void };

const cleanups = new Map<number, Cleanup>();
let nextId = 1;
let installed = false;
let running: Promise<void> | null = null;

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
        await c.run();
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

/**
 * Install SIGINT/SIGTERM handlers that clean up and then exit with 128+signal.
 * `onSignal` runs first (e.g. to write the partial report) and is bounded by the caller.
 */
export function installSignalCleanup(onSignal?: (signal: NodeJS.Signals) => Promise<void>): void {
  if (installed) return;
  installed = true;
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      // Second Ctrl-C: the user insists. Do the sync part and leave.
      for (const c of cleanups.values()) c.runSync?.();
      process.exit(130);
    }
    signalled = true;
    process.stderr.write(`\nreceived ${signal}: stopping and cleaning up…\n`);
    void (async () => {
      try {
        await onSignal?.(signal);
      } catch (err) {
        process.stderr.write(`while stopping: ${(err as Error).message}\n`);
      }
      await runAllCleanups();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('exit', () => {
    for (const c of cleanups.values()) c.runSync?.();
  });
}
