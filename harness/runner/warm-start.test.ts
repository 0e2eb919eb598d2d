// Warm start end to end: the first run seeds and stores its seeded database in the cache, the next
// run with the same dataset, seed and rows starts from it without seeding (seed.reused) and
// measures the same 2 s hold; other row counts are a miss and seed afresh.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedCache } from '../postgres/seed-cache.ts';
import { rehearseForTest, type TestRunOptions } from '../testing/run-for-test.ts';

const HOLD_LOCK = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));
const RUN: Omit<TestRunOptions, 'rows'> = { variants: ['hold'], rate: 50, warmup: { mode: 'off' } };
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'rehearse-warm-start-'));
  await fs.chmod(dir, 0o755); // the postgres OS user runs on embedded entries in place
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const holdStall = (r: Awaited<ReturnType<typeof rehearseForTest>>) => r.report.variants[0]!.summary.longestStallMs;

describe('warm start (seed cache)', () => {
  it('should seed and store on a miss, reuse the seeded database on a hit, and miss again for other rows', async () => {
    const cache = new SeedCache({ dir });
    const cold = await rehearseForTest(HOLD_LOCK, { ...RUN, rows: 2000, cache });
    expect(cold.report.seed?.reused).toBe(false);
    expect(cold.logs).toContain('warm-start cache: miss; seeding, then storing the seeded database');
    expect(cold.logs.some((l) => l.startsWith('warm-start cache: stored as entry '))).toBe(true);
    expect(await cache.list()).toHaveLength(1);

    const warm = await rehearseForTest(HOLD_LOCK, { ...RUN, rows: 2000, cache });
    expect(warm.report.seed?.reused).toBe(true);
    expect(warm.logs.some((l) => l.startsWith('warm-start cache: hit'))).toBe(true);
    expect(warm.logs.some((l) => l.startsWith('seeding '))).toBe(false);
    expect(warm.report.seed?.tables).toEqual(cold.report.seed?.tables);
    expect(warm.report.variants[0]!.dataset.tables).toEqual(cold.report.variants[0]!.dataset.tables);
    for (const r of [cold, warm]) expect(holdStall(r)).toBeGreaterThan(1500);

    const other = await rehearseForTest(HOLD_LOCK, { ...RUN, rows: 2500, cache });
    expect(other.report.seed?.reused).toBe(false);
    expect(other.logs.some((l) => l.startsWith('seeding '))).toBe(true);
    expect(await cache.list()).toHaveLength(2);
  }, 180_000);
});
