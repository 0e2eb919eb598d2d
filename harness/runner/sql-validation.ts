// Checks SQL given in a scenario with PostgreSQL's parser, so a typo is reported when the
// scenario loads, with its line, not minutes later in the middle of a run.
import { SqlSyntaxError, splitStatements } from '../sql/split-statements.ts';

/**
 * Problems with `sql`: syntax errors and empty text. With a `source` (the file:line where the
 * text starts), a syntax error is located as file:line:col in that file.
 */
export async function sqlProblems(sql: string | string[], opts: { source?: { file: string; line: number } } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const text of Array.isArray(sql) ? sql : [sql]) {
    try {
      const stmts = await splitStatements(text);
      if (stmts.length === 0) out.push(`no SQL statement in ${opts.source ? opts.source.file : JSON.stringify(text)}`);
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      out.push(opts.source
        ? `${opts.source.file}:${opts.source.line + err.line - 1}:${err.column}: SQL syntax error: ${err.message}`
        : `SQL syntax error on line ${err.line} of the statement: ${err.message}`);
    }
  }
  return out;
}

/**
 * An identifier as written in SQL, optionally schema-qualified: `users`, `public.users`,
 * `"Booking"`, `app."Booking"`. Anything else is refused, which keeps generated SQL safe.
 */
export const IDENTIFIER = /^(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*))?$/i;

/** Problems with a step's `rollback` (SQL syntax, settings), prefixed so they read as the rollback's. */
export async function rollbackProblems(r: unknown): Promise<string[]> {
  if (r === undefined) return [];
  const obj = typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as { sql?: unknown; lockTimeoutMs?: unknown; retries?: unknown }) : null;
  const sql = obj ? obj.sql : r;
  const list = typeof sql === 'string' ? [sql] : Array.isArray(sql) ? sql : null;
  if (!list || !list.every((x) => typeof x === 'string' && x.trim())) return ['rollback must be SQL (a string or a list; [] when there is nothing to undo) or { sql, lockTimeoutMs?, retries? }'];
  if (list.length === 0) return [];
  const out = (await sqlProblems(list as string[])).map((p) => `rollback: ${p}`);
  if (obj?.lockTimeoutMs !== undefined && !(typeof obj.lockTimeoutMs === 'number' && obj.lockTimeoutMs > 0)) out.push('rollback: lockTimeoutMs must be > 0');
  return out;
}
