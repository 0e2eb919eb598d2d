// The Server-Timing header every app instance sends (request-timing.ts) and the load drivers
// read: `pool;dur=<ms>, db;dur=<ms>, pid;desc=<backend pid>`. Pure; both sides of the protocol.

export const SERVER_TIMING_HEADER = 'server-timing';

export interface RequestTiming {
  /** Time waiting in pool.connect() (a free connection, or a new one being opened). */
  poolMs: number;
  /** Time in client.query(), summed (a request's concurrent queries add up). */
  dbMs: number;
  /** Backend pid of the last connection the request used: lets lock samples be joined to it. */
  pid: number | null;
}

const ms = (x: number) => x.toFixed(1);

export const formatServerTiming = (t: RequestTiming): string =>
  `pool;dur=${ms(t.poolMs)}, db;dur=${ms(t.dbMs)}${t.pid === null ? '' : `, pid;desc=${t.pid}`}`;

/** The driver's side: pool, db and pid from a Server-Timing header value; null when it has none of them. */
export function parseServerTiming(value: string | string[] | undefined | null): { poolMs: number; dbMs: number; backendPid: number | null } | null {
  if (!value) return null;
  const text = Array.isArray(value) ? value.join(',') : value;
  let poolMs: number | null = null;
  let dbMs: number | null = null;
  let pid: number | null = null;
  for (const entry of text.split(',')) {
    const [name, ...params] = entry.trim().split(';').map((s) => s.trim());
    const param = (key: string) => params.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1).replace(/^"|"$/g, '');
    if (name === 'pool') poolMs = Number(param('dur'));
    else if (name === 'db') dbMs = Number(param('dur'));
    else if (name === 'pid') pid = Number(param('desc'));
  }
  if (poolMs === null || dbMs === null || !Number.isFinite(poolMs) || !Number.isFinite(dbMs)) return null;
  return { poolMs, dbMs, backendPid: pid !== null && Number.isInteger(pid) ? pid : null };
}
