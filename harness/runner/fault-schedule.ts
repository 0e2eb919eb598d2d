// Faults armed by fault steps. A fault fires `afterMs` after the next (non-fault) step starts,
// runs its course concurrently with the steps (a held lock, a storm, a restart), and becomes an
// event on the timeline stamped with when it took effect and the step it fired during. A fault
// with afterMs 0 is in place before the step's own work begins (a lock is held before the
// ALTER is sent), so "the ALTER waits behind a long transaction" is what actually happens. The
// variant waits for every fault to finish before it stops measuring; Ctrl-C cuts them short.
import { now } from '../clock.ts';
import type { RunEvent } from '../model/schema.ts';
import type { StepClock } from '../model/windows.ts';

/** What a fault did: when it took effect (monotonic, default: when it fired), until when, and the facts. */
export interface FaultFiring {
  label: string;
  atT?: number;
  endT?: number;
  details: Record<string, unknown>;
}

interface Armed {
  step: string;
  fault: string;
  afterMs: number;
  /** Runs the fault; calls tookEffect() once its effect is in place (lock granted, process killed…). */
  fire: (signal: AbortSignal, tookEffect: () => void) => Promise<FaultFiring>;
}

/** Resolves after ms, or at once when the signal aborts. */
export const sleepUnlessAborted = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class FaultSchedule {
  private armed: Armed[] = [];
  private running: Promise<void>[] = [];
  /** Faults that never fired, in words, for the report's "not measured" list. */
  readonly notFired: string[] = [];

  constructor(private readonly o: { runStartMs: () => number; events: RunEvent[]; clock: StepClock; log: (line: string) => void; signal: AbortSignal }) {}

  arm(a: Armed): void {
    this.armed.push(a);
  }

  /**
   * A step starts: everything armed so far fires during it. Resolves once the faults due at the
   * step's start (afterMs 0) have taken effect; the step's own work starts after that.
   */
  stepStarting(): Promise<void> {
    const due: Promise<void>[] = [];
    for (const a of this.armed.splice(0)) {
      let tookEffect!: () => void;
      const inPlace = new Promise<void>((r) => (tookEffect = r));
      this.running.push(this.launch(a, tookEffect).finally(tookEffect));
      if (a.afterMs === 0) due.push(inPlace);
    }
    return Promise.all(due).then(() => undefined);
  }

  /** The steps are over: fire what is still armed (a fault that was the last step), then wait for every fault. */
  async settle(opts: { fireArmed: boolean }): Promise<void> {
    if (opts.fireArmed) await this.stepStarting();
    for (const a of this.armed.splice(0)) this.notFired.push(`Fault "${a.step}" (${a.fault}) did not fire: the variant stopped before the step it was armed for.`);
    await Promise.allSettled(this.running);
  }

  private async launch(a: Armed, tookEffect: () => void): Promise<void> {
    const { signal } = this.o;
    await sleepUnlessAborted(a.afterMs, signal);
    if (signal.aborted) {
      this.notFired.push(`Fault "${a.step}" (${a.fault}) did not fire: the run was stopped first.`);
      return;
    }
    const t = now();
    const rel = (ms: number) => Math.round(ms - this.o.runStartMs());
    const firedDuring = this.o.clock.stepAt(t);
    this.o.log(`  ⚡ fault ${a.step} (${a.fault}) fires${firedDuring ? ` during ${firedDuring}` : ''}`);
    try {
      const f = await a.fire(signal, tookEffect);
      this.o.events.push({
        kind: 'fault', atMs: rel(f.atT ?? t), ...(f.endT !== undefined ? { endMs: rel(f.endT) } : {}), label: f.label,
        details: { fault: a.fault, step: a.step, afterMs: a.afterMs, firedDuring, ...f.details },
      });
      this.o.log(`  ⚡ ${f.label}`);
    } catch (err) {
      const message = (err as Error).message;
      this.o.events.push({ kind: 'fault', atMs: rel(t), label: `${a.fault} failed to inject: ${message}`, details: { fault: a.fault, step: a.step, afterMs: a.afterMs, firedDuring, error: message } });
      this.notFired.push(`Fault "${a.step}" (${a.fault}) could not be injected: ${message}`);
      this.o.log(`  ⚡ fault ${a.step} could not be injected: ${message}`);
    }
  }
}
