// Empties a database in place, for servers where rehearse may not CREATE DATABASE (url provider
// without CREATEDB): between variants, everything the connected role may drop goes, so the next
// seed starts from an empty database. Schemas other than public are dropped whole; public stays
// (on PG 15+ it belongs to pg_database_owner and carries grants we could not recreate) and is
// emptied object by object. Objects of extensions stay with their extension.
import { RehearseError } from '../errors.ts';
import type { PostgresHandle } from './provider.ts';
import { pgClient } from './client.ts';

const NOT_SYSTEM = `n.nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'`;
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/** Rounds of DROP statements; each round is read after the previous ran (CASCADE removes dependants). */
const ROUNDS = [
  `SELECT format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname) FROM pg_namespace n
     WHERE ${NOT_SYSTEM} AND n.nspname <> 'public' AND pg_has_role(n.nspowner, 'USAGE') AND ${NOT_FROM_EXTENSION('pg_namespace', 'n.oid')}`,
  `SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       n.nspname, c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${NOT_SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
       AND pg_has_role(c.relowner, 'USAGE') AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')}
     ORDER BY c.relkind IN ('r', 'p', 'f') DESC`,
  `SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE ${NOT_SYSTEM} AND t.typtype IN ('e', 'd', 'r', 'c') AND t.typelem = 0
       AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
       AND pg_has_role(t.typowner, 'USAGE') AND ${NOT_FROM_EXTENSION('pg_type', 't.oid')}`,
  `SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${NOT_SYSTEM} AND p.prokind IN ('f', 'p') AND pg_has_role(p.proowner, 'USAGE') AND ${NOT_FROM_EXTENSION('pg_proc', 'p.oid')}`,
];

const LEFT_OVER = `SELECT format('%s %I.%I (owner %s)', CASE c.relkind WHEN 'v' THEN 'view' WHEN 'S' THEN 'sequence' ELSE 'table' END, n.nspname, c.relname, pg_get_userbyid(c.relowner)) AS what
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${NOT_SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')}`;

/** Drops every user object the role may drop in `database`; throws if other roles' objects remain. */
export async function resetDatabase(handle: PostgresHandle, database: string): Promise<void> {
  if (!handle.databases.ownsServer && database !== handle.databases.seedInto) {
    throw new RehearseError('REH_PG_DATABASE_NOT_OURS', `refusing to empty database "${database}": only the disposable database "${handle.databases.seedInto}" may be emptied`);
  }
  const c = pgClient(handle.url(database), 'rehearse-reset');
  await c.connect();
  try {
    for (const round of ROUNDS) {
      for (const { format } of (await c.query<{ format: string }>(round)).rows) await c.query(format);
    }
    const left = (await c.query<{ what: string }>(LEFT_OVER)).rows.map((r) => r.what);
    if (left.length) {
      throw new RehearseError('REH_PG_DATABASE_NOT_OURS', `database "${database}" still holds objects this role may not drop: ${left.slice(0, 10).join(', ')}${left.length > 10 ? ` and ${left.length - 10} more` : ''}`);
    }
  } finally {
    await c.end();
  }
}
