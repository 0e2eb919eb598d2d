import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RehearseError } from '../errors.ts';
import { readSqlSources } from './read-sql-sources.ts';

const roots: string[] = [];
/** A temp dir holding `files` (path → text). */
const dirWith = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-sources-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
};
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const names = (dir: string) => readSqlSources(dir).files.map((f) => f.name);
const failure = (fn: () => unknown): RehearseError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RehearseError) return err;
    throw err;
  }
  throw new Error('expected a RehearseError');
};

describe('readSqlSources', () => {
  it('should read a single file as UTF-8 without its BOM', () => {
    const dir = dirWith({ 'schema.sql': '\uFEFFCREATE TABLE "Café" (id int);' });
    const out = readSqlSources(join(dir, 'schema.sql'));
    expect(out.layout).toBe('file');
    expect(out.files).toEqual([{ path: join(dir, 'schema.sql'), name: 'schema', sql: 'CREATE TABLE "Café" (id int);' }]);
  });

  it('should order Prisma migration folders by their timestamp and ignore the lock file', () => {
    const dir = dirWith({
      '20240110120000_add_tasks/migration.sql': 'b',
      '20231231000000_init/migration.sql': 'a',
      'migration_lock.toml': 'provider = "postgresql"',
    });
    expect(readSqlSources(dir).layout).toBe('prisma');
    expect(names(dir)).toEqual(['20231231000000_init', '20240110120000_add_tasks']);
    expect(readSqlSources(dir).files[0]!.path).toBe(join(dir, '20231231000000_init', 'migration.sql'));
  });

  it('should read one Prisma or diesel migration folder as that one migration, named by the folder', () => {
    const root = dirWith({ '20251103090000_add_x/migration.sql': 'ALTER TABLE t ADD x int;', '2025-01-01-000000_y/up.sql': 'SELECT 1;', '2025-01-01-000000_y/down.sql': 'SELECT 2;' });
    expect(readSqlSources(join(root, '20251103090000_add_x'))).toMatchObject({ layout: 'prisma', files: [{ name: '20251103090000_add_x', sql: 'ALTER TABLE t ADD x int;' }] });
    expect(readSqlSources(join(root, '2025-01-01-000000_y'))).toMatchObject({ layout: 'diesel', files: [{ name: '2025-01-01-000000_y', sql: 'SELECT 1;' }] });
  });

  it('should read diesel folders by their up.sql only', () => {
    const dir = dirWith({ '2024-01-02-000000_b/up.sql': 'b', '2024-01-02-000000_b/down.sql': 'x', '00000000000000_diesel_initial_setup/up.sql': 'a' });
    expect(readSqlSources(dir).layout).toBe('diesel');
    expect(readSqlSources(dir).files.map((f) => f.sql)).toEqual(['a', 'b']);
  });

  it('should take golang-migrate up files in numeric version order and ignore down files', () => {
    const dir = dirWith({ '10_c.up.sql': 'c', '2_b.up.sql': 'b', '2_b.down.sql': 'x', '1_a.up.sql': 'a', 'README.md': '' });
    expect(readSqlSources(dir).layout).toBe('golang-migrate');
    expect(names(dir)).toEqual(['1_a', '2_b', '10_c']);
  });

  it('should keep only the dbmate up section, with line numbers true to the file', () => {
    const dir = dirWith({
      '20240102_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n\n-- migrate:down\nDROP TABLE b;\n',
      '20240101_a.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- migrate:down\nDROP INDEX i;',
    });
    const out = readSqlSources(dir);
    expect(out.layout).toBe('dbmate');
    expect(out.files.map((f) => f.name)).toEqual(['20240101_a', '20240102_b']);
    expect(out.files[1]!.sql).toBe('\nCREATE TABLE b (id int);\n\n\n\n');
    expect(out.files[1]!.sql.split('\n')[1]).toBe('CREATE TABLE b (id int);');
    expect(out.files.map((f) => f.transaction)).toEqual([false, undefined]);
  });

  it('should order Flyway versions numerically part by part, skip undo files and run repeatables last', () => {
    const dir = dirWith({ 'V1__init.sql': '', 'V1_1__fix.sql': '', 'V1.10__later.sql': '', 'V2__b.sql': '', 'V10__c.sql': '', 'U2__undo_b.sql': '', 'R__views.sql': '', 'R__a_functions.sql': '' });
    expect(readSqlSources(dir).layout).toBe('flyway');
    expect(names(dir)).toEqual(['V1__init', 'V1_1__fix', 'V1.10__later', 'V2__b', 'V10__c', 'R__a_functions', 'R__views']);
  });

  it('should take plain .sql files in natural name order', () => {
    const dir = dirWith({ '10-c.sql': '', '9-b.sql': '', 'a.sql': '', 'notes.txt': '' });
    expect(readSqlSources(dir).layout).toBe('plain');
    expect(names(dir)).toEqual(['9-b', '10-c', 'a']);
  });

  it('should refuse a missing path, naming it', () => {
    const err = failure(() => readSqlSources('/nonexistent/migrations'));
    expect(err.code).toBe('REH_INPUT_NOT_FOUND');
    expect(err.where).toBe('/nonexistent/migrations');
  });

  it('should refuse an empty directory', () => {
    expect(failure(() => readSqlSources(dirWith({ 'README.md': 'x' }))).code).toBe('REH_SOURCE_EMPTY');
  });

  it('should refuse mixed layouts, naming both, with a hint listing the layouts', () => {
    const err = failure(() => readSqlSources(dirWith({ 'V1__init.sql': '', '1_a.up.sql': '' })));
    expect(err.code).toBe('REH_SOURCE_UNKNOWN_LAYOUT');
    expect(err.hint).toMatch(/Prisma.*golang-migrate.*dbmate.*Flyway.*plain/);
    const err2 = failure(() => readSqlSources(dirWith({ '20240101_init/migration.sql': '', 'extra.sql': '' })));
    expect(err2.message).toMatch(/prisma.*plain/);
  });

  it('should refuse files that do not fit the detected layout, and SQL in unrecognised folders', () => {
    const err = failure(() => readSqlSources(dirWith({ 'V1__init.sql': '', 'V2__b.sql': '', 'seed.sql': '' })));
    expect(err.code).toBe('REH_SOURCE_UNKNOWN_LAYOUT');
    expect(err.message).toContain('seed.sql');
    expect(failure(() => readSqlSources(dirWith({ 'x/foo.sql': '' }))).code).toBe('REH_SOURCE_UNKNOWN_LAYOUT');
  });

  it('should refuse two migrations with the same version', () => {
    const err = failure(() => readSqlSources(dirWith({ '1_a.up.sql': '', '001_b.up.sql': '' })));
    expect(err.code).toBe('REH_SOURCE_DUPLICATE_VERSION');
    expect(err.message).toMatch(/1: .*001_b.up.sql.*1_a.up.sql|1: .*1_a.up.sql.*001_b.up.sql/);
  });

  it('should refuse a pg_dump custom-format archive with the pg_restore command to use', () => {
    const dir = dirWith({ 'db.dump': 'PGDMP\u0001binary' });
    const err = failure(() => readSqlSources(join(dir, 'db.dump')));
    expect(err.code).toBe('REH_SOURCE_UNKNOWN_LAYOUT');
    expect(err.hint).toContain('pg_restore --schema-only');
  });
});
