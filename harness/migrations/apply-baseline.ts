// Applies the baseline (a schema dump or the migrations already in production) to an empty
// database, one statement at a time on one connection, in autocommit unless a file opens its
// own transaction. One statement per round trip is what lets a failure name its file:line, and
// autocommit is what lets `ALTER TYPE … ADD VALUE` be followed by a use of the new value and
// CREATE INDEX CONCURRENTLY run at all. The database is a scratch one: a failure stops the
// apply and is reported; what ran before it is thrown away with the database.
import type pg from 'pg';
import { RehearseError, sqlstateOf } from '../errors.ts';
import { lineAt } from '../sql/split-statements.ts';
import { planBaseline, type BaselinePlan, type BaselineStatement } from './plan-baseline.ts';
import type { SqlFile } from './read-sql-sources.ts';

export interface BaselineResult {
  statements: number;
  ms: number;
  /** What the reader should know: skipped psql meta-commands, roles we created. */
  notes: string[];
}

/** Back to the session's own user and settings (a dump may SET ROLE or SET SESSION AUTHORIZATION). */
const FRESH_SESSION = 'SET SESSION AUTHORIZATION DEFAULT; RESET ALL';

/** Settings for the apply session: commits need not wait for the disk on a scratch database. */
const SESSION_SETUP = "SET synchronous_commit = off; SET client_min_messages = warning; SET statement_timeout = 0; SET lock_timeout = 0";

async function checkExtensions(client: pg.ClientBase, plan: BaselinePlan): Promise<void> {
  if (!plan.extensions.length) return;
  const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_available_extensions ORDER BY name');
  const available = new Set(rows.map((r) => r.name));
  const missing = plan.extensions.filter((e) => !available.has(e.name));
  if (!missing.length) return;
  throw new RehearseError(
    'REH_BASELINE_EXTENSION_MISSING',
    `the server has no extension ${missing.map((m) => `"${m.name}" (${m.where})`).join(', ')}; it has: ${[...available].join(', ')}`,
    { where: missing[0]!.where },
  );
}

/** Roles the dump grants to or makes owners: created NOLOGIN so ownership and grants apply as written. */
async function createMissingRoles(client: pg.ClientBase, roles: string[]): Promise<string[]> {
  if (!roles.length) return [];
  const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [roles]);
  const have = new Set(rows.map((r) => r.rolname));
  const made: string[] = [];
  for (const role of roles.filter((r) => !have.has(r))) {
    try {
      await client.query(`CREATE ROLE "${role.replace(/"/g, '""')}" NOLOGIN`);
      made.push(role);
    } catch (err) {
      if (sqlstateOf(err) !== '42710') throw err; // created meanwhile by another session: fine
    }
  }
  return made;
}

/** file:line:col of a server error position (1-based, in characters of the statement sent). */
function errorPlace(st: BaselineStatement, position: string | undefined): string {
  const pos = Number(position);
  if (!Number.isInteger(pos) || pos < 1) return st.where;
  const line = st.line + lineAt(st.sql, pos - 1) - 1;
  const col = pos - 1 - (st.sql.lastIndexOf('\n', pos - 2) + 1) + 1;
  return `${st.file}:${line}:${col}`;
}

const clip = (sql: string): string => {
  const one = sql.replace(/\s+/g, ' ');
  return one.length > 160 ? `${one.slice(0, 157)}…` : one;
};

export async function applyBaseline(client: pg.ClientBase, files: readonly SqlFile[], opts: { signal?: AbortSignal } = {}): Promise<BaselineResult> {
  const started = performance.now();
  const plan = await planBaseline(files);
  await checkExtensions(client, plan);
  const notes: string[] = [];
  if (plan.skippedMeta.length) notes.push(`skipped ${plan.skippedMeta.length} psql meta-command(s) the server never sees: ${plan.skippedMeta.join('; ')}`);
  const roles = await createMissingRoles(client, plan.roles);
  if (roles.length) notes.push(`created NOLOGIN role(s) the schema names but the server lacked: ${roles.join(', ')}`);

  await client.query(SESSION_SETUP);
  let file = plan.statements[0]?.file;
  let depth = 0;
  let opened: BaselineStatement | undefined;
  for (const st of plan.statements) {
    opts.signal?.throwIfAborted();
    if (st.file !== file) {
      if (depth > 0) await unclosed(client, opened!);
      // Each file starts with a fresh session, as with one psql run per file: a dump's
      // `set_config('search_path', '', false)` must not leak into the migrations after it.
      await client.query(`${FRESH_SESSION}; ${SESSION_SETUP}`);
      file = st.file;
    }
    try {
      await client.query(st.sql);
    } catch (err) {
      if (depth > 0) await client.query('ROLLBACK').catch(() => undefined);
      const e = err as { message?: string; position?: string; detail?: string; hint?: string };
      const where = errorPlace(st, e.position);
      const extra = [e.detail && `detail: ${e.detail}`, e.hint && `server hint: ${e.hint}`].filter(Boolean).join('; ');
      throw new RehearseError(
        'REH_BASELINE_FAILED',
        `baseline statement failed at ${where} with SQLSTATE ${sqlstateOf(err) ?? '?'}: ${e.message}${extra ? ` (${extra})` : ''}\n  statement: ${clip(st.sql)}`,
        { cause: err, where },
      );
    }
    if (st.transaction === 1 && depth++ === 0) opened = st;
    if (st.transaction === -1) depth = 0;
  }
  if (depth > 0) await unclosed(client, opened!);
  await client.query(FRESH_SESSION);
  return { statements: plan.statements.length, ms: Math.round(performance.now() - started), notes };
}

async function unclosed(client: pg.ClientBase, opened: BaselineStatement): Promise<never> {
  await client.query('ROLLBACK').catch(() => undefined);
  throw new RehearseError('REH_BASELINE_FAILED', `${opened.file} opens a transaction at line ${opened.line} and never commits it`, {
    where: opened.where,
    hint: 'Add the COMMIT the file is missing (psql would roll the transaction back at the end of the file).',
  });
}
