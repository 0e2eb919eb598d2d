// Warm-up: the load runs before the first step until latency is steady (cold app processes, empty
// pools and an unjitted app make the first seconds slow), or for a fixed time (--warmup <s>). The
// result builder excludes this time from every statistic (model/build-result.ts).
import { now, sleep } from '../clock.ts';
import type { LoadRun } from '../load/types.ts';
import type { SteadyCriteria } from '../model/schema.ts';
import { isSteady, recentSecondP99s } from '../model/steady-state.ts';

export type WarmupSetting = { mode: 'auto' } | { mode: 'fixed'; ms: number } | { mode: 'off' };

export interface WarmupOutcome {
  mode: WarmupSetting['mode'];
  /** Monotonic ms when warm-up ended: the first step starts here. */
  endMs: number;
  /** Whether the last window met the criteria; null when off. */
  settled: boolean | null;
}

const POLL_MS = 250;

const fmt = (p99s: (number | null)[]): string => p99s.map((p) => (p === null ? '-' : Math.round(p))).join(', ');

export async function warmUp(load: LoadRun, setting: WarmupSetting, c: SteadyCriteria, signal: AbortSignal, log: (l: string) => void): Promise<WarmupOutcome> {
  if (setting.mode === 'off') return { mode: 'off', endMs: load.startMs, settled: null };
  const window = () => recentSecondP99s(load.records(), now(), c.windowSeconds);
  const steadyNow = () => now() - load.startMs >= c.windowSeconds * 1000 && isSteady(window(), load.oldestInFlightMs(), c);
  if (setting.mode === 'fixed') {
    while (!signal.aborted && now() - load.startMs < setting.ms) await sleep(Math.min(POLL_MS, setting.ms - (now() - load.startMs)));
    const settled = steadyNow();
    log(`  warm-up: ${(setting.ms / 1000).toFixed(1)} s (fixed), p99 per second of the last ${c.windowSeconds} s: ${fmt(window())} ms${settled ? '' : ' — not steady yet'}`);
    return { mode: 'fixed', endMs: now(), settled };
  }
  for (;;) {
    await sleep(POLL_MS);
    const elapsed = now() - load.startMs;
    if (steadyNow()) {
      log(`  warm-up: steady after ${(elapsed / 1000).toFixed(1)} s (p99 per second: ${fmt(window())} ms)`);
      return { mode: 'auto', endMs: now(), settled: true };
    }
    if (elapsed >= c.capMs || signal.aborted) {
      if (!signal.aborted) log(`  warm-up: latency not steady after ${(c.capMs / 1000).toFixed(0)} s (p99 per second: ${fmt(window())} ms); the steps run anyway and the report says so`);
      return { mode: 'auto', endMs: now(), settled: false };
    }
  }
}
