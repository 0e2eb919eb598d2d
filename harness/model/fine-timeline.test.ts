// The 100 ms view: a 1.3 s stall is 13 empty buckets, not a blur across two seconds.
import { describe, expect, it } from 'vitest';
import { FINE_MAX_RUN_MS, fineTimeline } from './fine-timeline.ts';
import type { RequestRecord } from './records.ts';

const rec = (scheduledMs: number, endMs: number, outcome: RequestRecord['outcome'] = 'ok'): RequestRecord =>
  ({ route: 'r', target: 'a', scheduledMs, sentMs: scheduledMs, endMs, status: 200, outcome });

describe('fineTimeline', () => {
  it('counts responses and their worst latency per 100 ms by response time, and shows a 1.3 s stall as 13 empty buckets', () => {
    // One response every 50 ms from run start 1000 to 3000, except none from 1500 to 2800 (the stall),
    // where one request scheduled at 1480 ends at 2820 (latency 1340).
    const records: RequestRecord[] = [];
    for (let t = 1000; t < 3000; t += 50) if (t < 1500 || t >= 2850) records.push(rec(t - 5, t));
    records.push(rec(1480, 2820), rec(1200, 1210, 'timeout'), rec(1300, 1300, 'dropped'));
    const f = fineTimeline(records, 1000, 3000)!;
    expect(f.bucketMs).toBe(100);
    expect(f.completed).toHaveLength(20);
    expect(f.completed.slice(0, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(f.completed.slice(5, 18)).toEqual(new Array(13).fill(0));
    expect(f.maxLatencyMs.slice(5, 18)).toEqual(new Array(13).fill(null));
    expect(f.completed[18]).toBe(2); // 2820 (the stalled one) and 2850
    expect(f.maxLatencyMs[18]).toBe(1340);
    expect(f.completed[19]).toBe(2);
  });

  it('is not kept for runs longer than its limit', () => {
    expect(fineTimeline([], 0, FINE_MAX_RUN_MS + 1)).toBeNull();
  });
});
