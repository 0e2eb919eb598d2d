// A version matrix: `--pg 16,18` rehearses every variant on each major, one server after the
// other, and each (version, variant) pair is its own entry carrying the version it ran on, with
// the known 2 s ACCESS EXCLUSIVE hold measured on both.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePostgresSpecs } from '../postgres/providers.ts';
import { rehearseForTest } from '../testing/run-for-test.ts';

const HOLD_LOCK = fileURLToPath(new URL('../../scenarios/testing/hold-lock.ts', import.meta.url));

describe('a version matrix (--pg 16,18)', () => {
  it('should give each variant one entry per version, each with its own postgres.version and the hold measured', async () => {
    const parsed = parsePostgresSpecs({ pg: '16,18' });
    if (!parsed.ok) throw parsed.errors[0];
    const { report, logs } = await rehearseForTest(HOLD_LOCK, { variants: ['hold'], rows: 2000, rate: 50, warmup: { mode: 'off' }, postgresSpecs: parsed.specs });

    expect(report.variants.map((v) => v.variant)).toEqual(['hold@pg16', 'hold@pg18']);
    const [on16, on18] = report.variants;
    expect(on16!.postgres.version).toMatch(/^16\./);
    expect(on18!.postgres.version).toMatch(/^18\./);
    expect(report.variants.map((v) => v.server)).toEqual([{ variant: 'hold', label: 'pg16' }, { variant: 'hold', label: 'pg18' }]);
    for (const v of report.variants) {
      const step = v.steps.find((s) => s.name === 'hold-lock')!;
      expect(step.status).toBe('ok');
      // The app's requests queue behind the 2 s hold on both versions.
      expect(v.summary.longestStallMs).toBeGreaterThan(1500);
    }
    // One server after the other, each seeded on its own.
    expect(logs.filter((l) => /^seeding .* on pg1[68] /.test(l))).toHaveLength(2);
    expect(report.seed?.reused).toBe(false);
  }, 120_000);
});
