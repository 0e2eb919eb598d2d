// Checks SQL given in a scenario with PostgreSQL's parser, so a typo is reported when the
// scenario loads, with its line, not minutes later in the middle of a run.
import { SqlSyntaxError, splitStatements } from '../sql/split-statements.ts';

/** Problems with `sql`: syntax errors (with their line), empty text, and, when `inTransaction`, statements that cannot run in one. */
export async function sqlProblems(sql: string | string[], opts: { inTransaction?: boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const text of Array.isArray(sql) ? sql : [sql]) {
    try {
      const stmts = await splitStatements(text);
      if (stmts.length === 0) out.push(`no SQL statement in ${JSON.stringify(text)}`);
      if (opts.inTransaction) for (const st of stmts.filter((x) => x.noTransaction)) out.push(`"${st.sql}" cannot run inside a transaction block; remove transaction: true`);
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      out.push(`SQL syntax error on line ${err.line} of the statement: ${err.message}`);
    }
  }
  return out;
}

/**
 * An identifier as written in SQL, optionally schema-qualified: `users`, `public.users`,
 * `"Booking"`, `app."Booking"`. Anything else is refused, which keeps generated SQL safe.
 */
export const IDENTIFIER = /^(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*))?$/i;
