// Fault: pg_terminate_backend, as a failover, a DBA or a connection killer would. Either the
// migration's own session (a backfill reconnects and resumes; a sql step fails with 57P01), or
// every session of the app (its pools drop them and reconnect; requests in flight fail).
import type { TerminateBackendFault } from '../../scenario.ts';
import { withClient } from '../../postgres/client.ts';
import type { FaultKind } from './fault-kinds.ts';

// Sessions of app instances carry application_name rehearse-app/<instance>/<version> (app/instance.ts).
const APP_SESSIONS = `SELECT pid, application_name AS app, state, left(query, 200) AS query, pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'rehearse-app/%'`;
const ONE_SESSION = `SELECT pid, application_name AS app, state, left(query, 200) AS query, pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity WHERE pid = $1`;

export const terminateBackend: FaultKind<TerminateBackendFault> = {
  fault: 'terminate-backend',
  validate: (f) => (f.target === 'migration' || f.target === 'app' ? [] : ['target must be "migration" or "app"']),
  async fire(f, ctx) {
    const rows = await withClient(ctx.databaseUrl, 'rehearse-fault', async (c) =>
      (await c.query<{ pid: number; app: string; state: string | null; query: string; terminated: boolean }>(f.target === 'migration' ? ONE_SESSION : APP_SESSIONS, f.target === 'migration' ? [ctx.migrationPid] : [])).rows,
    );
    const killed = rows.filter((r) => r.terminated);
    if (killed.length === 0) throw new Error(`no ${f.target} session to terminate`);
    const label = f.target === 'migration'
      ? `terminated the migration session (pid ${killed[0]!.pid}, ${killed[0]!.state ?? 'unknown state'}${killed[0]!.state === 'active' ? `: ${killed[0]!.query.slice(0, 80)}` : ''})`
      : `terminated ${killed.length} app session${killed.length === 1 ? '' : 's'}`;
    return { label, details: { target: f.target, terminated: killed.length, sessions: killed.map(({ pid, app, state }) => ({ pid, app, state })) } };
  },
};
