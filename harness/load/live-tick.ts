// Per-second counters for the 'tick' progress line. Kept apart from the records on purpose:
// the report is always rebuilt from records, ticks are only for a human watching the console.
import type { RequestRecord } from '../model/records.ts';
import type { LoadTick } from './types.ts';

export class TickWindow {
  private completed = 0;
  private non2xx = 0;
  private errors = 0;
  private timeouts = 0;
  private dropped = 0;
  private lateStarts = 0;
  private latencies: number[] = [];

  constructor(private readonly lateThresholdMs = Infinity) {}

  add(r: RequestRecord): void {
    switch (r.outcome) {
      case 'ok':
        this.completed++;
        break;
      case 'non2xx':
        this.completed++;
        this.non2xx++;
        break;
      case 'error':
        this.errors++;
        break;
      case 'timeout':
        this.timeouts++;
        break;
      case 'dropped':
        this.dropped++;
        return;
      case 'unfinished':
        return;
    }
    if (r.sentMs - r.scheduledMs > this.lateThresholdMs) this.lateStarts++;
    this.latencies.push(r.endMs - r.scheduledMs);
  }

  /** Returns the window's counters and starts a new window. */
  take(live: Pick<LoadTick, 't' | 'inFlight' | 'oldestInFlightMs' | 'clientQueued'>): LoadTick {
    const lat = this.latencies.sort((a, b) => a - b);
    const p99Ms = lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)]) : null;
    const tick: LoadTick = {
      ...live,
      completed: this.completed,
      non2xx: this.non2xx,
      errors: this.errors,
      timeouts: this.timeouts,
      dropped: this.dropped,
      lateStarts: this.lateStarts,
      p99Ms,
    };
    this.completed = this.non2xx = this.errors = this.timeouts = this.dropped = this.lateStarts = 0;
    this.latencies = [];
    return tick;
  }
}
