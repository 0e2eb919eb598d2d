// Drives the CLI's live view on whatever stdout is (a pseudo-terminal in live-view.test.ts):
// a short synthetic run, so the TTY detection and drawing are exercised for real.
import { createLiveView } from '../cli/live-view.ts';

const view = createLiveView();
if (!process.stdout.isTTY) throw new Error('stdout is not a TTY');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
view.progress({ kind: 'variant-start', scenario: 'cct', variant: 'safe', steps: 2 });
view.progress({ kind: 'step-start', step: 'backfill', stepKind: 'backfill', index: 0, total: 2 });
view.progress({ kind: 'traffic', tick: { t: 1, completed: 250, non2xx: 0, errors: 0, timeouts: 0, dropped: 0, lateStarts: 0, inFlight: 1, oldestInFlightMs: 3, p99Ms: 20, clientQueued: 0 }, lockWaiters: 0 });
for (let i = 1; i <= 4; i++) {
  view.progress({ kind: 'backfill', step: 'backfill', done: i * 20_000, total: 100_000, rows: i * 20_000, rowsPerSec: 60_000 });
  await wait(150);
}
view.progress({ kind: 'variant-end', variant: 'safe' });
view.stop();
