// The scale projection proven against a measurement it did not see: a rewrite rehearsed at four
// sizes is fitted on the first three, and must predict the fourth.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitLinear } from '../model/projection.ts';
import type { RunReport } from '../model/schema.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const scenario = fileURLToPath(new URL('../../scenarios/testing/linear-cost.ts', import.meta.url));
const SIZES = [50_000, 100_000, 200_000, 400_000];
let report: RunReport;

beforeAll(async () => {
  ({ report } = await rehearseForTest(scenario, {
    rows: SIZES[0]!, rate: 50,
    scales: SIZES.map((n) => ({ label: `${n / 1000}k`, rows: { default: n, tables: {} } })),
    productionRows: { users: 4_000_000 },
    // Four rehearsals: a fixed second of warm-up each keeps the test's length predictable.
    warmup: { mode: 'fixed', ms: 1000 },
  }));
}, 240_000);

describe('scale projection', () => {
  it('should rehearse the variant once per scale, named by scale', () => {
    expect(report.variants.map((v) => v.variant)).toEqual(['rewrite@50k', 'rewrite@100k', 'rewrite@200k', 'rewrite@400k']);
    expect(report.variants.map((v) => v.dataset.tables.users)).toEqual(SIZES);
  });

  it('should fit the rewrite linearly against the users rows and predict the largest size from the three smaller ones', () => {
    const p = report.projection!.statements.find((s) => s.step === 'rewrite')!;
    expect(p.table).toBe('users');
    expect(p.exclusiveHold!.model).toBe('linear');
    expect(p.exclusiveHold!.r2!).toBeGreaterThan(0.9);
    expect(p.productionRows).toBe(4_000_000);
    const [a, b, c, d] = p.exclusiveHold!.points;
    const fromThree = fitLinear([a!, b!, c!], d!.rows);
    expect(fromThree.projectedMs!).toBeGreaterThan(d!.ms * 0.65);
    expect(fromThree.projectedMs!).toBeLessThan(d!.ms * 1.35);
    expect(p.summary).toMatch(/holds ACCESS EXCLUSIVE ≈ .* at 4M rows of users \(linear, R² [01]\.\d\d; 4 points\)/);
  });

  it('should call the catalog-only ADD COLUMN constant instead of projecting growth', () => {
    const p = report.projection!.statements.find((s) => s.step === 'add-column')!;
    expect(p.exclusiveHold!.model).toBe('constant');
    expect(p.exclusiveHold!.projectedMs!).toBeLessThan(200);
    expect(p.summary).toMatch(/does not grow with rows/);
  });
});
