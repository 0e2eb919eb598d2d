import { describe, expect, it } from 'vitest';
import { lineAt, SqlSyntaxError, splitStatements } from './split-statements.ts';

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

  it('should give the text of each statement without surrounding space, comments before it or its semicolon', async () => {
    const out = await splitStatements('\n\n  SELECT 1 ;  \n  SELECT 2;\t\n SELECT 3   ');
    expect(out.map((s) => s.sql)).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
    expect(out.map((s) => s.line)).toEqual([3, 4, 5]);
    expect((await splitStatements('SELECT 1; SELECT 2')).map((s) => s.sql)).toEqual(['SELECT 1', 'SELECT 2']);
    expect(await splitStatements('  -- nothing here\n')).toEqual([]);
  });

  it('should mark transaction control written in the SQL, and nothing else', async () => {
    const out = await splitStatements('BEGIN; SELECT 1; COMMIT; START TRANSACTION; ROLLBACK; END; ABORT; SAVEPOINT a');
    expect(out.map((s) => s.control ?? null)).toEqual(['begin', null, 'commit', 'begin', 'rollback', 'commit', 'rollback', null]);
    expect(Object.hasOwn(out[1]!, 'control')).toBe(false);
  });

  it('should know that database and system commands cannot run in a transaction block', async () => {
    const out = await splitStatements("CREATE DATABASE d; DROP DATABASE d; ALTER SYSTEM SET work_mem = '8MB'; VACUUM FULL t; REINDEX TABLE t; ALTER TABLE p ADD COLUMN c int");
    expect(out.map((s) => s.noTransaction)).toEqual([true, true, true, true, false, false]);
  });
});

describe('SqlSyntaxError', () => {
  it('should give the 1-based column of a 0-based position on its own line', () => {
    const text = 'ab\ncd\nef'; // offsets: a0 b1 \n2 c3 d4 \n5 e6 f7
    expect(new SqlSyntaxError('m', 5, 2, text).column).toBe(3); // the newline ending "cd"
    expect(new SqlSyntaxError('m', 4, 2, text).column).toBe(2);
    expect(new SqlSyntaxError('m', 6, 3, text).column).toBe(1);
    expect(new SqlSyntaxError('m', 2, 1, text).column).toBe(3);
    const e = new SqlSyntaxError('bad', 7, 1);
    expect([e.column, e.name, e.message, e.line, e.position]).toEqual([8, 'SqlSyntaxError', 'bad', 1, 7]);
  });
});

describe('lineAt', () => {
  it('should count the newlines before an offset, not at it', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 1)).toBe(1); // the newline itself is still on line 1
    expect(lineAt('a\nb\nc', 2)).toBe(2);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
    expect(lineAt('a\n', 99)).toBe(2);
  });
});
