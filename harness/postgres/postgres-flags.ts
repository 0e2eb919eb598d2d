// The --postgres family of flags as the CLI hands them over (raw strings), and the parsers the
// providers share. Validation lives here and in each provider's entry, not in the CLI, so a
// provider brings its own flags.
import { availableParallelism } from 'node:os';
import type { ErrorCode } from '../errors.ts';
import { SUPPORTED_MAJORS, type PgMajor } from './embedded-binaries.ts';
import { MANAGED_SETTINGS } from './provider.ts';

export interface PostgresFlags {
  /** --postgres embedded|docker|url (default embedded). */
  postgres?: string;
  /** --pg 14,16,18: the majors to rehearse on, one run per major. */
  pg?: string;
  /** --pg-image, repeatable or comma-separated: one run per image (docker). */
  pgImage?: string[];
  /** --pg-cpus 2 (docker). */
  pgCpus?: string;
  /** --pg-memory 4g (docker). */
  pgMemory?: string;
  /** --pg-setting key=value, repeatable (every provider). */
  pgSetting?: string[];
  /** --pg-url postgres://… (url); REHEARSE_PG_URL in the environment keeps the password out of `ps`. */
  pgUrl?: string;
  /** --disposable <dbname> (url). */
  disposable?: string;
  /** --allow-foreign-sessions (url). */
  allowForeignSessions?: boolean;
}

/** Reports one problem with one flag (REH_PG_SPEC_INVALID unless told); parsing goes on so every problem is listed at once. */
export type Problem = (flag: string, message: string, code?: ErrorCode) => void;

/** The flag as the user typed it, for messages. */
export const FLAG_NAMES: Record<keyof PostgresFlags, string> = {
  postgres: '--postgres',
  pg: '--pg',
  pgImage: '--pg-image',
  pgCpus: '--pg-cpus',
  pgMemory: '--pg-memory',
  pgSetting: '--pg-setting',
  pgUrl: '--pg-url',
  disposable: '--disposable',
  allowForeignSessions: '--allow-foreign-sessions',
};

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const MIN_MEMORY = 512 * 1024 ** 2;

/** "4g", "512m", "1.5GiB", "4096MB" (binary units, as docker reads them) → bytes. */
export function parseSize(raw: string, problem: Problem): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(raw);
  if (!m) {
    problem('--pg-memory', `"${raw}" is not a size; use e.g. 4g or 512m`);
    return undefined;
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (bytes < MIN_MEMORY) {
    problem('--pg-memory', `${raw} is too little for Postgres under load; give it at least 512m`);
    return undefined;
  }
  return bytes;
}

export function parseCpus(raw: string, problem: Problem): number | undefined {
  const n = Number(raw);
  const max = availableParallelism();
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(n >= 0.01)) problem('--pg-cpus', `"${raw}" is not a CPU count; use e.g. 2 or 0.5`);
  else if (n > max) problem('--pg-cpus', `${raw} CPUs asked for, but this machine has ${max}`);
  else return n;
  return undefined;
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i;

/** key=value pairs; the ones the providers manage (where the server listens) are refused. */
export function parseSettings(raw: readonly string[], problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw) {
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (eq < 0 || !SETTING_NAME.test(key) || value === '' || /[\n\r\0]/.test(value)) {
      problem('--pg-setting', `"${pair}" is not name=value, e.g. work_mem=64MB`);
    } else if ((MANAGED_SETTINGS as readonly string[]).includes(key.toLowerCase())) {
      problem('--pg-setting', `${key} is set by rehearse itself (the server must listen where the harness looks)`);
    } else if (key in out && out[key] !== value) {
      problem('--pg-setting', `${key} is given twice, as ${out[key]} and ${value}`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** "14,16,18" → [14, 16, 18], in the order given, without repeats. */
export function parseList(raw: string): string[] {
  return [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** --pg "14,16,18" → majors rehearse knows; unknown ones are problems. */
export function parseMajors(raw: string, problem: Problem): PgMajor[] {
  const majors: PgMajor[] = [];
  for (const item of parseList(raw)) {
    const n = Number(item);
    if ((SUPPORTED_MAJORS as readonly number[]).includes(n)) majors.push(n as PgMajor);
    else problem('--pg', `"${item}" is not a Postgres major rehearse can run; use one or more of ${SUPPORTED_MAJORS.join(', ')}`);
  }
  if (!majors.length && !parseList(raw).length) problem('--pg', 'names no major; use e.g. --pg 14,18');
  return majors;
}
