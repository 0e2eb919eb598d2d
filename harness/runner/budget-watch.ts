// Live budget checks for abortOnFail: every few hundred ms, the abortOnFail budgets are evaluated
// on the measurements so far (requests in flight count with their time so far) with the same
// code as the final report. The first breach stops the migration, the way a careful operator
// would; load and observer keep recording until teardown.
import { now } from '../clock.ts';
import { evaluateBudgets, type BudgetSpec } from '../model/budgets.ts';
import type { MetricInput } from '../model/metric-input.ts';
import type { BudgetCheck } from '../model/schema.ts';

export interface BudgetWatchOptions {
  /** Only the abortOnFail budgets. */
  specs: readonly BudgetSpec[];
  plannedSteps: readonly string[];
  /** The measurements so far, with horizon = now. */
  snapshot: () => MetricInput;
  onBreach: (check: BudgetCheck, atMs: number) => void;
  /** Least time between two checks. A check never takes more than a fifth of the time. */
  intervalMs?: number;
}

export class BudgetWatch {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** How many times the budgets were evaluated (for tests and the report's honesty about resolution). */
  checks = 0;

  constructor(private readonly o: BudgetWatchOptions) {}

  start(): this {
    if (this.o.specs.length > 0) this.schedule(this.o.intervalMs ?? 250);
    return this;
  }

  /** Evaluates once now; returns the first breached check, if any. */
  checkNow(): BudgetCheck | null {
    const input = this.o.snapshot();
    this.checks++;
    const { checks } = evaluateBudgets(this.o.specs, input, { plannedSteps: this.o.plannedSteps, perStep: false });
    return checks.find((c) => !c.ok) ?? null;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      const t0 = now();
      const breach = this.checkNow();
      if (breach) {
        this.stopped = true;
        this.o.onBreach(breach, t0);
        return;
      }
      this.schedule(Math.max(this.o.intervalMs ?? 250, 4 * (now() - t0)));
    }, ms);
  }
}
