// Measures what the app can serve before the rehearsal, so the open model can run at a known
// fraction of capacity (a saturated app stalls on its own and would hide the migration's effect).
import { now } from '../clock.ts';
import { RehearseError } from '../errors.ts';
import { summarizeTraffic } from '../model/traffic.ts';
import { startClosedLoad } from './closed-model.ts';
import type { Balancer, RequestFactory } from './types.ts';

export interface CapacityProbeOptions {
  balancer: Balancer;
  factory: RequestFactory;
  durationMs?: number; // default 3000
  connections?: number; // default 32
  timeoutMs?: number; // default 10000
  seed?: number; // default 1
  /** Aborted (Ctrl-C): the probe stops at once and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CapacityResult {
  /** 2xx responses per second: failures are not capacity. */
  rps: number;
  /** p99 latency under saturation, over requests that ended during the probe. */
  p99Ms: number;
  /** non2xx + transport errors + timeouts during the probe. */
  errors: number;
}

/** Saturates the instances in rotation with a closed loop (autocannon) for durationMs. */
export const probeCapacity = async (opts: CapacityProbeOptions): Promise<CapacityResult> => {
  const durationMs = opts.durationMs ?? 3000;
  const targets = opts.balancer.inRotation();
  if (targets.length === 0) {
    throw new RehearseError('REH_LOAD_NO_CAPACITY', 'The capacity probe found no app instance in rotation.');
  }
  const run = startClosedLoad({
    connections: opts.connections ?? 32,
    factory: opts.factory,
    balancer: opts.balancer,
    timeoutMs: opts.timeoutMs ?? 10_000,
    seed: opts.seed ?? 1,
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, durationMs);
    opts.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  const stopMs = now();
  const records = await run.stop();
  if (opts.signal?.aborted) throw opts.signal.reason;
  const s = summarizeTraffic(records, -Infinity, Infinity);
  const ok = s.completed - s.non2xx;
  if (ok === 0) {
    throw new RehearseError(
      'REH_LOAD_NO_CAPACITY',
      `The capacity probe got no 2xx response in ${durationMs} ms from ${targets.map((t) => t.origin).join(', ')} ` +
        `(${s.non2xx} non-2xx, ${s.errors} transport errors, ${s.timeouts} timeouts).`,
    );
  }
  // ok > 0 guarantees at least one latency, so p99Ms is set.
  return { rps: ok / ((stopMs - run.startMs) / 1000), p99Ms: s.p99Ms ?? 0, errors: s.non2xx + s.errors + s.timeouts };
};
