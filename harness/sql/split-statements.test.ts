import { describe, expect, it } from 'vitest';
import { SqlSyntaxError, splitStatements } from './split-statements.ts';

describe('splitStatements', () => {
  it('should split on statement boundaries, not on semicolons in strings, comments or bodies', async () => {
    const out = await splitStatements(`ALTER TABLE users ADD COLUMN x int; -- a;comment
UPDATE users SET note = 'a;b' WHERE id = 1;
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;`);
    expect(out.map((s) => s.kind)).toEqual(['AlterTableStmt', 'UpdateStmt', 'CreateFunctionStmt']);
    expect(out[1]!.sql).toBe("UPDATE users SET note = 'a;b' WHERE id = 1");
    expect(out[2]!.sql).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql');
  });

  it('should know which statements cannot run in a transaction block', async () => {
    const out = await splitStatements('CREATE INDEX CONCURRENTLY i ON users (email); CREATE INDEX j ON users (email); DROP INDEX CONCURRENTLY i; VACUUM users');
    expect(out.map((s) => s.noTransaction)).toEqual([true, false, true, true]);
    const more = await splitStatements('REINDEX INDEX CONCURRENTLY i; REINDEX INDEX i; ALTER TABLE p DETACH PARTITION c CONCURRENTLY; ALTER TABLE p DETACH PARTITION c');
    expect(more.map((s) => s.noTransaction)).toEqual([true, false, true, false]);
  });

  it('should report a syntax error with its line', async () => {
    const err = await splitStatements('SELECT 1;\nALTER TABLE users ADD COLUMN;').catch((e) => e);
    expect(err).toBeInstanceOf(SqlSyntaxError);
    expect(err.line).toBe(2);
    expect(err.column).toBe(29);
  });

  it('should give each statement the line of its first token, past comments and blank lines', async () => {
    const out = await splitStatements("-- header\nSELECT 1;\n\n  /* why */ ALTER TABLE a ADD b int;\nSELECT 'x;\n';\nSELECT 2");
    expect(out.map((s) => s.line)).toEqual([2, 4, 5, 7]);
  });

  it('should slice statements right after non-ASCII text (the parser counts bytes)', async () => {
    const out = await splitStatements("COMMENT ON TABLE t IS 'Café – ünïcödé 🎉';\nSELECT 'ok';\nSELECT 2");
    expect(out.map((s) => s.sql)).toEqual(["COMMENT ON TABLE t IS 'Café – ünïcödé 🎉'", "SELECT 'ok'", 'SELECT 2']);
    expect(out.map((s) => s.line)).toEqual([1, 2, 3]);
  });
});
