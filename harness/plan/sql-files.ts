// Reads migration SQL files for `sql` steps, keeping every statement's file:line true to the file
// the user wrote. dbmate keeps up and down in one file (`-- migrate:up` / `-- migrate:down`): only
// the up section runs, and `-- migrate:up transaction:false` turns its transaction off.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import type { SqlStep } from '../scenario.ts';

export interface SqlFileText {
  sql: string;
  /** Where `sql` starts: statements report file and line from it. */
  source: { file: string; line: number };
  /** false when the file asks to run outside a transaction (dbmate `transaction:false`). */
  transaction?: false;
}

/** A path as users read it in reports: relative to the working directory when inside it. */
export const displayPath = (abs: string): string => {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
};

const UP = /^--\s*migrate:up\b(.*)$/m;
const DOWN = /^--\s*migrate:down\b/m;

export function readSqlFile(file: string): SqlFileText {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new RehearseError('REH_INPUT_NOT_FOUND', `SQL file ${file} does not exist`, { where: file });
  }
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const shown = displayPath(file);
  const up = UP.exec(text);
  if (!up) return { sql: text, source: { file: shown, line: 1 } };
  const start = up.index + up[0].length;
  const rest = text.slice(start);
  const down = DOWN.exec(rest);
  const body = down ? rest.slice(0, down.index) : rest;
  const line = text.slice(0, start).split('\n').length;
  return { sql: body, source: { file: shown, line }, ...(/\btransaction:false\b/.test(up[1] ?? '') ? { transaction: false as const } : {}) };
}

/** A `file` step becomes a `sql` step with its text and source; relative paths resolve from `baseDir`. */
export function resolveSqlFileStep(step: SqlStep, baseDir: string): SqlStep {
  if (step.file === undefined || step.sql !== undefined) return step;
  const read = readSqlFile(path.resolve(baseDir, step.file));
  return { ...step, sql: read.sql, source: read.source, ...(read.transaction === false && step.transaction === undefined ? { transaction: false } : {}) };
}
