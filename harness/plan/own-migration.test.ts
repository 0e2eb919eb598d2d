// Your own migration end to end, on the example SaaS app: its pg_dump schema as the baseline,
// its Prisma migrations rehearsed one step per file, its workload as the app. Every statement
// must point back to its file:line, and the one dangerous file must show as the stall it is.
import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { exclusiveHoldMs } from '../model/projection.ts';
import type { RunReport } from '../model/schema.ts';
import { rehearse } from '../runner/rehearse.ts';
import { planOwnMigration } from './own-migration.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/saas-app/', import.meta.url));
const own = (o: Partial<{ schema: string; migrations: string; workload: string }> = {}) => ({
  own: { schema: path.join(EXAMPLE, 'schema.sql'), migrations: path.join(EXAMPLE, 'migrations'), workload: path.join(EXAMPLE, 'workload.ts'), ...o },
  variants: [], migration: {},
});
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { code?: string; message: string; where?: string }) => e);

let report: RunReport;
beforeAll(async () => {
  const plan = await planOwnMigration(own());
  ({ report } = await rehearse({
    ...plan, rows: { default: 5000, tables: {} }, seed: 3,
    load: { model: 'open', rate: 60, connections: 16, timeoutMs: 30_000, capacityFraction: 0.4 },
    instances: 2, sampleIntervalMs: 100, outDir: mkdtempSync(path.join(tmpdir(), 'rehearse-own-')), toolVersion: 'test',
    log: () => {}, signal: new AbortController().signal,
  }));
}, 240_000);

describe('your own migration, rehearsed', () => {
  it('should rehearse every migration file as one step, in Prisma order, between a baseline and an after', () => {
    const v = report.variants[0]!;
    expect(v.steps.map((s) => s.name)).toEqual([
      'baseline', '20251101090000_add_task_reminder', '20251102090000_index_task_reminder', '20251103090000_add_task_external_id',
      '20251104090000_add_invoice_note', '20251105090000_comment_body_not_blank', '20251106090000_validate_comment_body', 'after',
    ]);
    expect(v.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(v.dataset.description).toMatch(/inferred from .*schema\.sql/);
    expect(Object.keys(v.dataset.tables)).toHaveLength(11);
  });

  it('should point every statement back to its file and line', () => {
    const statements = report.variants[0]!.steps.flatMap((s) => s.statements);
    expect(statements).toHaveLength(7);
    for (const st of statements) expect(st.source?.file).toMatch(/examples\/saas-app\/migrations\/\d{14}_[a-z_]+\/migration\.sql$/);
    const dangerous = report.variants[0]!.steps.find((s) => s.name === '20251103090000_add_task_external_id')!.statements;
    expect(dangerous.map((s) => s.source!.line)).toEqual([2, 5]);
  });

  it('should find the dangerous file: a rewrite of tasks under ACCESS EXCLUSIVE that stalls the task routes', () => {
    const v = report.variants[0]!;
    const [add] = v.steps.find((s) => s.name === '20251103090000_add_task_external_id')!.statements;
    expect(add!.rewrote).toBe(true);
    expect(add!.rewrittenRelations).toContain('tasks');
    expect(add!.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', relation: 'tasks' }));
    // The task routes stalled for about as long as the file held ACCESS EXCLUSIVE on tasks (the
    // ALTER's rewrite plus the unique index build, until the file's one transaction committed).
    const hold = exclusiveHoldMs(add!)!;
    expect(hold).toBeGreaterThan(150);
    const stalls = v.stalls.filter((s) => s.step === '20251103090000_add_task_external_id' && ['getTask', 'projectBoard', 'moveTask', 'taskComments'].includes(s.route));
    const longest = Math.max(0, ...stalls.map((s) => s.durationMs));
    expect(longest).toBeGreaterThan(hold * 0.6);
    expect(longest).toBeLessThan(hold + 1500);
    // The catalog-only and concurrent files do not rewrite anything.
    for (const name of ['20251101090000_add_task_reminder', '20251102090000_index_task_reminder', '20251104090000_add_invoice_note']) {
      expect(v.steps.find((s) => s.name === name)!.statements.some((s) => s.rewrote)).toBe(false);
    }
  });

  it('should serve the workload file\'s queries as the app\'s routes', () => {
    expect(Object.keys(report.variants[0]!.load.mix).sort()).toEqual(['addComment', 'createSubtask', 'getTask', 'invoices', 'moveTask', 'projectBoard', 'signIn', 'taskComments']);
    expect(report.variants[0]!.summary.errorsBySqlstate).toEqual({});
  });
});

describe('your own migration, bad input', () => {
  const scratch = () => mkdtempSync(path.join(tmpdir(), 'rehearse-own-bad-'));

  it('should name a missing migrations directory', async () => {
    const e = await codeOf(planOwnMigration(own({ migrations: '/nonexistent/migrations' })));
    expect(e).toMatchObject({ code: 'REH_INPUT_NOT_FOUND' });
  });

  it('should locate a syntax error in a migration file as file:line:col before anything runs', async () => {
    const dir = scratch();
    cpSync(path.join(EXAMPLE, 'migrations'), dir, { recursive: true });
    writeFileSync(path.join(dir, '20251104090000_add_invoice_note', 'migration.sql'), '-- AlterTable\nALTER TABLE "invoices" ADD COLUM "note" TEXT;\n');
    const e = await codeOf(planOwnMigration(own({ migrations: dir })));
    expect(e).toMatchObject({ code: 'REH_SCENARIO_INVALID' });
    expect((e as Error).message).toMatch(/20251104090000_add_invoice_note\/migration\.sql:2:41: SQL syntax error: syntax error at or near "TEXT"/);
  });

  it('should refuse CONCURRENTLY inside a transaction the file opened, with both lines', async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, '001_idx'));
    writeFileSync(path.join(dir, '001_idx', 'up.sql'), 'BEGIN;\nCREATE INDEX CONCURRENTLY t_idx ON tasks (title);\nCOMMIT;\n');
    const e = await codeOf(planOwnMigration(own({ migrations: dir })));
    expect((e as Error).message).toMatch(/001_idx\/up\.sql:2: .*cannot run inside the transaction block opened at .*001_idx\/up\.sql:1/);
  });

  it('should leave the migrations being rehearsed out of a baseline directory that contains them', async () => {
    const dir = scratch();
    cpSync(path.join(EXAMPLE, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
    mkdirSync(path.join(dir, 'migrations', '20251001000000_init'));
    cpSync(path.join(EXAMPLE, 'schema.sql'), path.join(dir, 'migrations', '20251001000000_init', 'migration.sql'));
    const plan = await planOwnMigration(own({ schema: path.join(dir, 'migrations'), migrations: path.join(dir, 'migrations', '20251106090000_validate_comment_body') }));
    expect(plan.scenario.dataset!.description).toMatch(/inferred from 6 schema files/);
    expect(plan.scenario.variants.migration!.steps.map((s) => s.name)).toEqual(['baseline', '20251106090000_validate_comment_body', 'after']);
  });
});
