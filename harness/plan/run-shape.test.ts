// --harden and --rehearse-rollback as run shapes over a loaded scenario: which variants run, in
// which order, and what a variant that cannot be rolled back says.
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../errors.ts';
import { planScenarioRun } from './plan-run.ts';

describe('run shapes', () => {
  it('should put each variant\'s hardened twin right after it, rewritten and recorded', async () => {
    const p = await planScenarioRun({ scenario: 'add-foreign-key', variants: [], harden: true });
    expect(p.variants).toEqual(['plain', 'plain-hardened', 'not-valid', 'not-valid-hardened']);
    const add = p.scenario.variants['plain-hardened']!.steps.find((s) => s.name === 'add-fk')!;
    expect(add).toMatchObject({ kind: 'sql', retries: 20 });
    expect(p.scenario.variants['plain-hardened']!.hardening!.rewrites.map((w) => w.pattern)).toEqual(['lock-timeout-retry', 'fk-not-valid']);
    // Already safe: the twin keeps NOT VALID and VALIDATE as they are; only lock_timeout is added where writes would queue.
    expect(p.scenario.variants['not-valid-hardened']!.hardening!.rewrites.map((w) => w.pattern)).toEqual(['lock-timeout-retry', 'lock-timeout-retry']);
  });

  it('should roll back the variants that can be, and refuse a named one that cannot, with its code', async () => {
    const all = await planScenarioRun({ scenario: 'change-column-type', variants: [], rehearseRollback: true });
    expect(all.variants).toEqual(['expand-contract', 'varchar-to-text']);
    expect(all.scenario.variants['expand-contract']!.rollbackPlan?.lastReversibleStep).toBe('deploy-new-only');
    const err = await planScenarioRun({ scenario: 'change-column-type', variants: ['naive'], rehearseRollback: true }).catch((e) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect(err).toMatchObject({ code: 'REH_ROLLBACK_IMPOSSIBLE', message: expect.stringContaining('step alter-type, declares no rollback') });
  });
});
