// Records when each step and each migration statement ran, so any timestamped measurement
// (a request, a lock sample, a stall) can be attributed to the step and statement of its moment.
import { now } from '../clock.ts';

export interface Window {
  name: string;
  startMs: number;
  endMs: number | null; // null while running
}

export class StepClock {
  readonly steps: Window[] = [];
  readonly statements: Window[] = [];

  beginStep(name: string): void {
    this.steps.push({ name, startMs: now(), endMs: null });
  }

  endStep(): void {
    const open = this.steps.at(-1);
    if (open && open.endMs === null) open.endMs = now();
  }

  beginStatement(sql: string): void {
    this.statements.push({ name: sql, startMs: now(), endMs: null });
  }

  endStatement(): void {
    const open = this.statements.at(-1);
    if (open && open.endMs === null) open.endMs = now();
  }

  stepAt(ms: number): string | null {
    return find(this.steps, ms)?.name ?? null;
  }

  statementAt(ms: number): string | null {
    return find(this.statements, ms)?.name ?? null;
  }
}

// Windows are appended in time order and never overlap, so search from the end.
function find(windows: Window[], ms: number): Window | undefined {
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i]!;
    if (w.startMs <= ms) return w.endMs === null || ms < w.endMs ? w : undefined;
  }
  return undefined;
}

/** The window that overlaps [startMs, endMs] the most; how a stall or lock wait is attributed. */
export function dominant(windows: Window[], startMs: number, endMs: number, until = now()): string | null {
  let best: string | null = null;
  let bestOverlap = 0;
  for (const w of windows) {
    const overlap = Math.min(endMs, w.endMs ?? until) - Math.max(startMs, w.startMs);
    if (overlap > bestOverlap || (overlap === 0 && best === null && w.startMs <= startMs && (w.endMs ?? until) >= startMs)) {
      best = w.name;
      bestOverlap = overlap;
    }
  }
  return best;
}
