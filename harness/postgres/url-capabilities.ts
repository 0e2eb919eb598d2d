// What a role on a server we did not start may do, and what the report must therefore say it
// could not measure. Also checks that every --pg-setting can be applied per session.
import type pg from 'pg';
import { RehearseError } from '../errors.ts';
import { REHEARSAL_SETTINGS, type PostgresCapabilities } from './provider.ts';

export interface Probe {
  version: string;
  capabilities: PostgresCapabilities;
  notMeasured: string[];
  notes: string[];
}

const ROLE = `
  SELECT r.rolsuper AS super, r.rolcreatedb AS createdb,
         pg_has_role('pg_read_all_stats', 'USAGE') AS read_stats,
         (SELECT pg_has_role(d.datdba, 'USAGE') FROM pg_database d WHERE d.datname = current_database()) AS owns_db
  FROM pg_roles r WHERE r.rolname = current_user`;

/** Settings a session may set: `user` always, `superuser` as a superuser; the rest need a restart or reload. */
async function checkSettings(c: pg.Client, settings: Record<string, string>, superuser: boolean): Promise<void> {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    const row = (await c.query<{ context: string }>('SELECT context FROM pg_settings WHERE name = $1', [name])).rows[0];
    if (!row) problems.push(`${name}: no such setting on this server`);
    else if (row.context === 'superuser' && !superuser) problems.push(`${name}: only a superuser may set it`);
    else if (row.context !== 'user' && row.context !== 'superuser') problems.push(`${name}: needs a server ${row.context === 'sighup' ? 'reload' : 'restart'} (context ${row.context})`);
    else {
      // Validate the value the way the server will, without keeping it.
      await c.query('BEGIN');
      try {
        await c.query('SELECT set_config($1, $2, true)', [name, value]);
      } catch (err) {
        problems.push(`${name}=${value}: ${(err as Error).message}`);
      } finally {
        await c.query('ROLLBACK');
      }
    }
  }
  if (problems.length) {
    throw new RehearseError('REH_PG_SETTING_UNSUPPORTED', `these --pg-setting values cannot be applied to this server: ${problems.join('; ')}`);
  }
}

/** Whether pg_stat_statements answers in this database; a superuser may create it (the database is disposable). */
async function pgStatStatements(c: pg.Client, superuser: boolean): Promise<string | null> {
  const installed = (await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rowCount! > 0;
  if (!installed && !superuser) return 'the pg_stat_statements extension is not installed in the database, and creating it needs a superuser';
  await c.query('BEGIN');
  try {
    if (!installed) await c.query('CREATE EXTENSION pg_stat_statements');
    await c.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    await c.query('COMMIT');
    return null;
  } catch (err) {
    await c.query('ROLLBACK');
    return `pg_stat_statements does not answer (${(err as Error).message})`;
  }
}

export async function probeCapabilities(c: pg.Client, settings: Record<string, string>): Promise<Probe> {
  const version = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const role = (await c.query<{ super: boolean; createdb: boolean; read_stats: boolean; owns_db: boolean }>(ROLE)).rows[0]!;
  await checkSettings(c, settings, role.super);
  const pgssProblem = await pgStatStatements(c, role.super);

  const notMeasured: string[] = [];
  if (pgssProblem) notMeasured.push(`per-statement totals from pg_stat_statements: ${pgssProblem}`);
  if (!role.super && !role.read_stats) {
    notMeasured.push('the query text and state of other roles\' sessions (a lock wait they cause shows without their query): the role lacks pg_read_all_stats');
  }

  const defaults = Object.keys(REHEARSAL_SETTINGS).filter((k) => !k.includes('.'));
  const actual = (await c.query<{ name: string; value: string }>(
    'SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY($1) ORDER BY name',
    [defaults],
  )).rows.map((r) => `${r.name}=${r.value}`);
  const notes = [`rehearse did not start this server: CPU, memory and server settings are its own (${actual.join(', ')})`];
  const others = (await c.query<{ datname: string; n: string }>(
    `SELECT datname, count(*) AS n FROM pg_stat_activity WHERE datname <> current_database() AND usesysid IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`,
  )).rows;
  if (others.length) notes.push(`sessions on other databases share this server: ${others.map((o) => `${o.datname} (${o.n})`).join(', ')}`);

  return {
    version,
    capabilities: {
      // Cloning the disposable database as a template needs CREATEDB and ownership of it.
      createDatabase: role.super || (role.createdb && role.owns_db),
      superuser: role.super,
      pgStatStatements: pgssProblem === null,
    },
    notMeasured,
    notes,
  };
}
