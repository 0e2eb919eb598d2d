// The sub-second view of a short run: responses and the worst latency per 100 ms, so a 1.3 s stall
// is a clean run of empty buckets instead of a blur across two 1 s points. Pure: no I/O.
import type { RequestRecord } from './records.ts';
import type { FineTimeline } from './schema.ts';

export const FINE_BUCKET_MS = 100;
/** Longer runs keep only the 1 s timeline: 100 ms columns would make report.json large for little gain. */
export const FINE_MAX_RUN_MS = 180_000;

export function fineTimeline(records: readonly RequestRecord[], runStartMs: number, runEndMs: number, bucketMs = FINE_BUCKET_MS): FineTimeline | null {
  if (runEndMs - runStartMs > FINE_MAX_RUN_MS || runEndMs <= runStartMs) return null;
  const n = Math.ceil((runEndMs - runStartMs) / bucketMs);
  const completed = new Array<number>(n).fill(0);
  const maxLatencyMs = new Array<number | null>(n).fill(null);
  for (const r of records) {
    if (r.outcome !== 'ok' && r.outcome !== 'non2xx') continue;
    const k = Math.floor((r.endMs - runStartMs) / bucketMs);
    if (k < 0 || k >= n) continue;
    completed[k]!++;
    const latency = Math.round(r.endMs - r.scheduledMs);
    if (maxLatencyMs[k] === null || latency > maxLatencyMs[k]!) maxLatencyMs[k] = latency;
  }
  return { bucketMs, completed, maxLatencyMs };
}
