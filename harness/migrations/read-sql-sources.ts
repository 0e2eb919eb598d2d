// Reads `--schema` / `--migrations`: one .sql file, or a directory in one of the common tools'
// layouts (see layouts.ts), into files in the order the tool would apply them. Line numbers
// stay true to the files on disk, so every later error can point at file:line.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RehearseError } from '../errors.ts';
import {
  DBMATE_UP,
  FLYWAY,
  GOLANG,
  NUMBERED,
  compareCandidates,
  duplicateVersions,
  fileCandidate,
  naturalCompare,
  type Candidate,
  type SqlLayout,
} from './layouts.ts';

export type { SqlLayout } from './layouts.ts';

export interface SqlFile {
  /** As the user would find it: the given path joined with the file's place in the directory. */
  path: string;
  /** Step name: file name without .sql (or .up.sql), or the Prisma/diesel folder name. */
  name: string;
  /** UTF-8 text without a BOM; for dbmate only the up section, other lines blanked. */
  sql: string;
  /** false when the file asks to run outside a transaction (dbmate `-- migrate:up transaction:false`). */
  transaction?: false;
}

export interface SqlSources {
  layout: SqlLayout;
  files: SqlFile[];
}

const LAYOUT_HELP =
  'layouts: a single .sql file; Prisma <timestamp>_<name>/migration.sql; diesel <timestamp>_<name>/up.sql; golang-migrate NNN_name.up.sql; dbmate NNN_name.sql with -- migrate:up; Flyway V<n>__name.sql; plain .sql files in name order';

const readText = (file: string): string => readFileSync(file, 'utf8').replace(/^\uFEFF/, '');

/** Keeps dbmate's `-- migrate:up` section; every other line becomes empty so line numbers hold. */
export function dbmateUpSection(text: string): string {
  let inUp = false;
  return text
    .split('\n')
    .map((line) => {
      const marker = /^--\s*migrate:(up|down)\b/.exec(line);
      if (marker) {
        inUp = marker[1] === 'up';
        return '';
      }
      return inUp ? line : '';
    })
    .join('\n');
}

const isSql = (f: string): boolean => /\.sql$/i.test(f);

/** One file as it runs: a dbmate file (`-- migrate:up`) keeps only its up section and says if it wants no transaction. */
export function readSqlFile(path: string, name = path.split(/[\\/]/).pop()!.replace(/\.sql$/i, '')): SqlFile {
  const text = readText(path);
  if (!DBMATE_UP.test(text)) return { path, name, sql: text };
  const noTx = /^--\s*migrate:up\b.*\btransaction:false\b/m.test(text);
  return { path, name, sql: dbmateUpSection(text), ...(noTx ? { transaction: false as const } : {}) };
}

export function readSqlSources(pathOrDir: string): SqlSources {
  if (!existsSync(pathOrDir)) {
    throw new RehearseError('REH_INPUT_NOT_FOUND', `no such file or directory: ${pathOrDir}`, { where: pathOrDir });
  }
  if (!statSync(pathOrDir).isDirectory()) {
    const head = readFileSync(pathOrDir).subarray(0, 5).toString('latin1');
    if (head === 'PGDMP') {
      throw new RehearseError('REH_SOURCE_UNKNOWN_LAYOUT', `${pathOrDir} is a pg_dump custom-format archive, not SQL text`, {
        where: pathOrDir,
        hint: `Turn it into SQL first: pg_restore --schema-only -f schema.sql ${pathOrDir}`,
      });
    }
    return { layout: 'file', files: [readSqlFile(pathOrDir)] };
  }
  // One Prisma or diesel migration folder (`…/20251103_add_x`, holding migration.sql or up.sql):
  // that migration alone, named by its folder, as the tool would apply it.
  const single = singleMigrationFolder(pathOrDir);
  if (single) return single;
  const { layout, candidates } = detectLayout(pathOrDir);
  return { layout, files: candidates.map((c) => readSqlFile(join(pathOrDir, c.rel), c.name)) };
}

function singleMigrationFolder(dir: string): SqlSources | null {
  const inner = readdirSync(dir);
  const name = dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop()!;
  const sqlFiles = inner.filter(isSql);
  if (sqlFiles.length === 1 && sqlFiles[0] === 'migration.sql') return { layout: 'prisma', files: [readSqlFile(join(dir, 'migration.sql'), name)] };
  if (inner.includes('up.sql') && sqlFiles.every((f) => f === 'up.sql' || f === 'down.sql')) return { layout: 'diesel', files: [readSqlFile(join(dir, 'up.sql'), name)] };
  return null;
}

interface Found {
  layout: SqlLayout;
  /** What made us think so, for the mixed-layout message. */
  examples: string[];
}

function detectLayout(dir: string): { layout: SqlLayout; candidates: Candidate[] } {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => naturalCompare(a.name, b.name));
  const rootSql = entries.filter((e) => e.isFile() && isSql(e.name)).map((e) => e.name);
  const prisma: Candidate[] = [];
  const diesel: Candidate[] = [];
  const strayDirs: string[] = [];
  for (const d of entries.filter((e) => e.isDirectory())) {
    const inner = readdirSync(join(dir, d.name));
    if (inner.includes('migration.sql')) prisma.push({ rel: join(d.name, 'migration.sql'), name: d.name, version: null });
    else if (inner.includes('up.sql')) diesel.push({ rel: join(d.name, 'up.sql'), name: d.name, version: null });
    else if (inner.some(isSql)) strayDirs.push(`${d.name}/`);
  }

  const found: Found[] = [];
  if (prisma.length) found.push({ layout: 'prisma', examples: prisma.map((c) => c.rel) });
  if (diesel.length) found.push({ layout: 'diesel', examples: diesel.map((c) => c.rel) });
  const rootLayout = rootSql.length ? rootFileLayout(dir, rootSql) : undefined;
  if (rootLayout) found.push({ layout: rootLayout, examples: rootSql });

  if (found.length === 0) {
    if (strayDirs.length) {
      throw new RehearseError('REH_SOURCE_UNKNOWN_LAYOUT', `${dir} has SQL only in folders without migration.sql or up.sql (${strayDirs.slice(0, 5).join(', ')}); ${LAYOUT_HELP}`, { where: dir });
    }
    throw new RehearseError('REH_SOURCE_EMPTY', `${dir} has no .sql files`, { where: dir });
  }
  if (found.length > 1) {
    const kinds = found.map((f) => `${f.layout} (${f.examples.slice(0, 2).join(', ')}${f.examples.length > 2 ? ', …' : ''})`);
    throw new RehearseError('REH_SOURCE_UNKNOWN_LAYOUT', `${dir} mixes layouts: ${kinds.join(' and ')}; ${LAYOUT_HELP}`, { where: dir });
  }

  const layout = found[0]!.layout;
  let candidates: Candidate[];
  if (layout === 'prisma') candidates = prisma;
  else if (layout === 'diesel') candidates = diesel;
  else {
    candidates = [];
    const misfits: string[] = [];
    for (const f of rootSql) {
      const c = fileCandidate(layout as 'golang-migrate' | 'flyway' | 'dbmate' | 'plain', f);
      if (c === null) misfits.push(f);
      else if (c !== 'ignore') candidates.push(c);
    }
    if (layout === 'dbmate') misfits.push(...rootSql.filter((f) => NUMBERED.test(f) && !DBMATE_UP.test(readText(join(dir, f)))).map((f) => `${f} (no -- migrate:up)`));
    if (misfits.length) {
      throw new RehearseError('REH_SOURCE_UNKNOWN_LAYOUT', `${dir} looks like ${layout}, but these files do not fit it: ${misfits.join(', ')}; ${LAYOUT_HELP}`, { where: dir });
    }
    if (candidates.length === 0) throw new RehearseError('REH_SOURCE_EMPTY', `${dir} has only ${layout} files that never run forwards (down/undo)`, { where: dir });
  }
  const dups = duplicateVersions(candidates);
  if (dups.length) throw new RehearseError('REH_SOURCE_DUPLICATE_VERSION', `${dir} has migrations sharing a version: ${dups.join('; ')}`, { where: dir });
  return { layout, candidates: candidates.sort(compareCandidates) };
}

/** The layout of the .sql files at the top of a directory: the first family any of them belongs to. */
function rootFileLayout(dir: string, files: string[]): SqlLayout {
  if (files.some((f) => GOLANG.test(f))) return 'golang-migrate';
  if (files.some((f) => FLYWAY.test(f))) return 'flyway';
  if (files.every((f) => NUMBERED.test(f)) && files.some((f) => DBMATE_UP.test(readText(join(dir, f))))) return 'dbmate';
  return 'plain';
}
