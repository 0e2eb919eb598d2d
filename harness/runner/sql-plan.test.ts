import { describe, expect, it } from 'vitest';
import { splitStatements } from '../sql/split-statements.ts';
import { planSegments } from './sql-plan.ts';

const plan = async (sql: string, transaction?: boolean) => planSegments(await splitStatements(sql), { transaction });
const shape = (p: Awaited<ReturnType<typeof plan>>) => p.segments.map((s) => `${s.transactional ? (s.begin ? 'explicit' : 'tx') : 'auto'}:${s.statements.map((x) => x.sql.split(' ')[0]).join(',')}${s.end === 'rollback' ? ':rollback' : ''}`);

describe('planSegments', () => {
  it('should run a file as one transaction, as migration tools do', async () => {
    const p = await plan('ALTER TABLE a ADD x int; UPDATE a SET x = 1; CREATE INDEX i ON a (x);');
    expect(shape(p)).toEqual(['tx:ALTER,UPDATE,CREATE']);
    expect(p.problems).toEqual([]);
  });

  it('should run a statement that cannot be in a transaction alone, and group the others around it', async () => {
    const p = await plan('ALTER TABLE a ADD x int; CREATE INDEX CONCURRENTLY i ON a (x); ALTER TABLE a ADD y int; UPDATE a SET y = 1;');
    expect(shape(p)).toEqual(['tx:ALTER', 'auto:CREATE', 'tx:ALTER,UPDATE']);
  });

  it('should honour BEGIN/COMMIT written in the file, with implicit transactions between blocks', async () => {
    const p = await plan('SET lock_timeout = 1000; BEGIN ISOLATION LEVEL SERIALIZABLE; ALTER TABLE a ADD x int; COMMIT; UPDATE a SET x = 1; BEGIN; DROP TABLE b; ROLLBACK;');
    expect(shape(p)).toEqual(['tx:SET', 'explicit:ALTER', 'tx:UPDATE', 'explicit:DROP:rollback']);
    expect(p.segments[1]!.begin!.sql).toBe('BEGIN ISOLATION LEVEL SERIALIZABLE');
  });

  it('should run every statement in autocommit with transaction: false, still honouring explicit blocks', async () => {
    const p = await plan('ALTER TABLE a ADD x int; UPDATE a SET x = 1; BEGIN; ALTER TABLE a ADD y int; COMMIT;', false);
    expect(shape(p)).toEqual(['auto:ALTER', 'auto:UPDATE', 'explicit:ALTER']);
  });

  it('should refuse CONCURRENTLY inside an explicit block and an unterminated BEGIN, naming their lines', async () => {
    const p = await plan('BEGIN;\nCREATE INDEX CONCURRENTLY i ON a (x);\nCOMMIT;\nBEGIN;\nALTER TABLE a ADD x int;');
    expect(p.problems).toHaveLength(2);
    expect(p.problems[0]).toMatch(/^line 2: .*cannot run inside the transaction block opened at line 1/);
    expect(p.problems[1]).toMatch(/^line 4: BEGIN has no matching COMMIT/);
  });

  it('should note a stray COMMIT and a nested BEGIN without failing', async () => {
    const p = await plan('COMMIT; BEGIN; BEGIN; SELECT 1; COMMIT;');
    expect(p.problems).toEqual([]);
    expect(p.notes).toHaveLength(2);
    expect(shape(p)).toEqual(['explicit:SELECT']);
  });

  it('should refuse a no-transaction statement when the step forces one transaction', async () => {
    const p = await plan('VACUUM a; SELECT 1', true);
    expect(p.problems[0]).toMatch(/cannot run inside a transaction block; remove transaction: true/);
    expect(shape(p)).toEqual(['tx:VACUUM,SELECT']);
  });

  it('should carry each statement source file and line', async () => {
    const stmts = (await splitStatements('\n\nALTER TABLE a ADD x int;\nUPDATE a SET x = 1;')).map((s) => ({ ...s, source: { file: 'm/001.sql', line: s.line } }));
    const p = planSegments(stmts);
    expect(p.segments[0]!.statements.map((s) => s.source)).toEqual([{ file: 'm/001.sql', line: 3 }, { file: 'm/001.sql', line: 4 }]);
  });
});
