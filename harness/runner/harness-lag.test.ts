// Ground truth for the harness's own event-loop lag: the test blocks the harness's event loop (it
// runs in this process) for a known 300 ms while the load runs; the report must say so, at about
// that size.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenarioFile = fileURLToPath(new URL('../../scenarios/testing/steady.ts', import.meta.url));
const BLOCK_MS = 300;

describe('harness event-loop lag', () => {
  it('should report a known 300 ms block of the harness as its max event-loop lag', async () => {
    let blocked = false;
    const { report } = await rehearseForTest(scenarioFile, {
      rows: 2000, rate: 50, instances: 1, variants: ['idle'],
      onLog: (line) => {
        if (blocked || !line.startsWith('▶ idle')) return;
        blocked = true;
        setTimeout(() => {
          const until = Date.now() + BLOCK_MS;
          while (Date.now() < until); // the harness does nothing else meanwhile: no timer, no I/O
        }, 500);
      },
    });
    const lag = report.variants[0]!.observer.eventLoopDelay!;
    expect(blocked).toBe(true);
    expect(lag.maxMs).toBeGreaterThanOrEqual(BLOCK_MS - 20);
    expect(lag.maxMs).toBeLessThan(BLOCK_MS + 200);
    expect(lag.p99Ms).toBeLessThanOrEqual(lag.maxMs);
  });
});
