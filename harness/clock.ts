// One monotonic clock for the whole run. Every measurement (request, lock sample,
// step boundary) is stamped with `now()` so they can be joined without wall-clock skew.
import { performance } from 'node:perf_hooks';

/** Milliseconds on the monotonic clock (fractional). */
export const now = (): number => performance.now();

/** Wall-clock epoch ms of a monotonic timestamp, for humans reading the report. */
export const toEpochMs = (mono: number): number => performance.timeOrigin + mono;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
