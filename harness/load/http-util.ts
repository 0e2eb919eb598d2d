// Small helpers shared by the load models.
import { parseServerTiming } from '../app/server-timing.ts';
import type { RequestRecord } from '../model/records.ts';
import type { RequestSpec } from './types.ts';

/** SQLSTATE from a 5xx body `{ "sqlstate": "55P03" }`; undefined when the body is not that shape. */
export const parseSqlstate = (body: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const s = (parsed as { sqlstate?: unknown }).sqlstate;
      if (typeof s === 'string' && s.length > 0) return s;
    }
  } catch {
    // not JSON: a proxy or crash page, no SQLSTATE to report
  }
  return undefined;
};

export const isOkStatus = (status: number): boolean => status >= 200 && status < 300;

/** JSON body and headers for a spec (no body, no content-type when spec.body is undefined). */
export const encodeBody = (spec: RequestSpec): { body?: string; headers: Record<string, string> } =>
  spec.body === undefined
    ? { headers: {} }
    : { body: JSON.stringify(spec.body), headers: { 'content-type': 'application/json' } };

/** Node/undici error code of a transport error, for RequestRecord.errorCode. */
export const errorCodeOf = (err: unknown): string => {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; cause?: unknown; name?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (e.cause !== undefined) return errorCodeOf(e.cause);
    if (typeof e.name === 'string') return e.name;
  }
  return 'UNKNOWN';
};

/** Copies the app's Server-Timing (pool wait, query time, backend pid) onto a record; absent = not measured. */
export const withServerTiming = (rec: RequestRecord, header: string | string[] | undefined): RequestRecord => {
  const t = parseServerTiming(header);
  if (t) {
    rec.poolMs = t.poolMs;
    rec.dbMs = t.dbMs;
    if (t.backendPid !== null) rec.backendPid = t.backendPid;
  }
  return rec;
};
