// The rollback plan: forward to the last step that can be undone, then the undo in reverse order
// (old code back before the schema it needs goes), then a health window on the old version.
import { describe, expect, it } from 'vitest';
import { planRollback } from './rollback-plan.ts';
import type { Variant } from '../scenario.ts';

const expandContract: Variant = {
  description: 'balance → balance_new',
  steps: [
    { kind: 'pause', name: 'baseline', seconds: 1 },
    { kind: 'sql', name: 'expand', sql: 'ALTER TABLE users ADD COLUMN balance_new bigint', lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP COLUMN balance_new' },
    { kind: 'deploy', name: 'deploy-dual-write', version: 'dual-write' },
    { kind: 'backfill', name: 'backfill', table: 'users', set: 'balance_new = balance' },
    { kind: 'verify', name: 'verify', sql: 'SELECT 0' },
    { kind: 'deploy', name: 'deploy-read-new', version: 'read-new' },
    { kind: 'sql', name: 'contract', sql: 'ALTER TABLE users DROP COLUMN balance', lockTimeoutMs: 500 },
    { kind: 'pause', name: 'after', seconds: 1 },
  ],
};

describe('planRollback', () => {
  it('should run forward to the last reversible step and undo it in reverse, deploys collapsed into one', () => {
    const p = planRollback('expand-contract', expandContract, 'old');
    if ('problem' in p) throw new Error(p.problem);
    expect(p.lastReversibleStep).toBe('deploy-read-new');
    expect(p.notRun).toEqual(['contract', 'after']);
    expect(p.variant.steps.map((s) => [s.name, s.kind, s.phase])).toEqual([
      ['baseline', 'pause', 'forward'],
      ['expand', 'sql', 'forward'],
      ['deploy-dual-write', 'deploy', 'forward'],
      ['backfill', 'backfill', 'forward'],
      ['verify', 'verify', 'forward'],
      ['deploy-read-new', 'deploy', 'forward'],
      ['rollback-deploy-old', 'deploy', 'rollback'],
      ['rollback-expand', 'sql', 'rollback'],
      ['old-code-health', 'pause', 'rollback'],
    ]);
    // The undo inherits the step's lock_timeout: a DROP COLUMN queues like the ADD did.
    expect(p.variant.steps[7]).toMatchObject({ sql: ['ALTER TABLE users DROP COLUMN balance_new'], lockTimeoutMs: 500 });
    expect(p.variant.steps[6]).toMatchObject({ version: 'old' });
    expect(p.variant.rollbackPlan).toEqual({ lastReversibleStep: 'deploy-read-new', notRun: ['contract', 'after'], oldVersion: 'old', healthStep: 'old-code-health' });
  });

  it('should say why a variant whose first change declares no rollback cannot be rolled back', () => {
    const p = planRollback('naive', { description: 'x', steps: [{ kind: 'pause', name: 'baseline', seconds: 1 }, { kind: 'sql', name: 'alter-type', sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint' }] }, 'old');
    expect(p).toEqual({ problem: expect.stringContaining('step alter-type, declares no rollback') });
  });

  it('should skip a rollback declared as nothing to undo', () => {
    const p = planRollback('v', { description: 'x', steps: [{ kind: 'sql', name: 'ext', sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto', rollback: [] }, { kind: 'sql', name: 'add', sql: 'ALTER TABLE t ADD COLUMN c int', rollback: { sql: 'ALTER TABLE t DROP COLUMN c', lockTimeoutMs: 200 } }] }, 'old');
    if ('problem' in p) throw new Error(p.problem);
    expect(p.variant.steps.filter((s) => s.phase === 'rollback').map((s) => s.name)).toEqual(['rollback-add', 'old-code-health']);
    expect(p.variant.steps.find((s) => s.name === 'rollback-add')).toMatchObject({ lockTimeoutMs: 200 });
  });
});
