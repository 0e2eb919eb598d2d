// What a run reports while it goes, for a human watching (the CLI's live view or plain log lines).
// The report is always built from the measurements, never from these events.
import type { LoadTick } from '../load/types.ts';
import type { StepKind, StepStatus } from '../model/schema.ts';

export type RunProgress =
  | { kind: 'variant-start'; scenario: string; variant: string; steps: number }
  | { kind: 'step-start'; step: string; stepKind: StepKind; index: number; total: number }
  | { kind: 'step-end'; step: string; status: StepStatus; durationMs: number }
  /** Backfill: keys done of the key range, rows scanned, rate so far. */
  | { kind: 'backfill'; step: string; done: number; total: number; rows: number; rowsPerSec: number }
  /** Once a second: the load's last second and the most backends waiting on a lock in it. */
  | { kind: 'traffic'; tick: LoadTick; lockWaiters: number | null }
  | { kind: 'variant-end'; variant: string };

export type OnProgress = (p: RunProgress) => void;
