// `sql` steps that name a file: the file is read once, when the scenario is planned, keeping every
// statement's file:line true to the file the user wrote (dbmate files run their up section only).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import { readSqlFile } from '../migrations/read-sql-sources.ts';
import type { SqlStep } from '../scenario.ts';

/** A path as users read it in reports: relative to the working directory when inside it. */
export const displayPath = (abs: string): string => {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
};

/** A `file` step becomes a `sql` step with its text and source; relative paths resolve from `baseDir`. */
export function resolveSqlFileStep(step: SqlStep, baseDir: string): SqlStep {
  if (step.file === undefined || step.sql !== undefined) return step;
  const abs = path.resolve(baseDir, step.file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new RehearseError('REH_INPUT_NOT_FOUND', `SQL file ${step.file} does not exist (looked in ${displayPath(abs)})`, { where: abs });
  const read = readSqlFile(abs);
  return { ...step, sql: read.sql, source: { file: displayPath(abs), line: 1 }, ...(read.transaction === false && step.transaction === undefined ? { transaction: false } : {}) };
}
