// rehearse.config.ts: everything the command line takes, typed (`defineConfig`, an identity
// function like vitest's). Flags given on the command line win over the config; relative paths
// in the config resolve from its own directory. Validated with zod: every problem at once.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { RehearseError } from '../errors.ts';
import { budgetProblems } from '../model/budgets.ts';
import { IDENTIFIER } from '../runner/sql-validation.ts';

const ms = z.union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m)$/, 'a duration like "500ms", "2s" or "1m"')]);
const count = z.number().int().nonnegative();

const ConfigSchema = z.strictObject({
  /** A scenario name or file; or give schema + migrations for your own migration. */
  scenario: z.string().optional(),
  variants: z.array(z.string()).optional(),
  /** Baseline schema: a pg_dump --schema-only file or a directory of migrations already applied. */
  schema: z.string().optional(),
  /** The migrations to rehearse: a .sql file or a migrations directory, one step per file. */
  migrations: z.string().optional(),
  /** Workload file (defineWorkload); derived from the schema when absent. */
  workload: z.string().optional(),
  rows: z.union([count, z.record(z.string(), count)]).optional(),
  /** Per-column value overrides for the schema-inferred dataset, keyed "Table.column". */
  columns: z.record(z.string(), z.unknown()).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  scales: z.array(z.union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?[kmb]?$/i, 'a size like 100000, "300k" or "1.5m"')])).min(2, 'at least two sizes, to fit a cost against rows').optional(),
  productionRows: z.record(z.string(), count).optional(),
  load: z.strictObject({
    model: z.enum(['open', 'closed']).optional(),
    rate: z.number().int().positive().optional(),
    connections: z.number().int().positive().optional(),
    timeoutMs: z.number().int().positive().optional(),
    sampleIntervalMs: z.number().int().min(10).optional(),
    /** 'auto' (until latency is steady), a fixed length, or 'off'. */
    warmup: z.union([z.enum(['auto', 'off']), ms]).optional(),
  }).optional(),
  app: z.strictObject({
    instances: z.number().int().min(1).max(64).optional(),
    poolSize: z.number().int().min(1).optional(),
    statementTimeout: ms.nullable().optional(),
    lockTimeout: ms.nullable().optional(),
    /** Balancer slow start for instances that join during deploys; 'off' or a length. */
    slowStart: z.union([z.literal('off'), ms]).optional(),
  }).optional(),
  /** Wrap each migration transaction: lock_timeout, retried on 55P03 with backoff. */
  migration: z.strictObject({ lockTimeout: ms.optional(), retries: z.number().int().min(0).optional() }).optional(),
  /** Budgets as in a scenario: metric or metric{scope} → limit, or { limit, abortOnFail }. */
  budgets: z.record(z.string(), z.union([z.number(), z.strictObject({ limit: z.number(), abortOnFail: z.boolean().optional() })]))
    .superRefine((b, ctx) => { for (const problem of budgetProblems(b)) ctx.addIssue({ code: 'custom', message: problem }); })
    .optional(),
  failOnBreach: z.boolean().optional(),
  out: z.string().optional(),
  /** Sessions beside every variant, like --background: a report query, a transaction left idle… */
  background: z.array(z.strictObject({
    session: z.enum(['long-query', 'idle-in-transaction', 'repeated-query', 'for-update']),
    table: z.string().regex(IDENTIFIER, 'a table name, e.g. users or public.users'),
    /** How long it holds. */
    hold: ms,
    /** When it starts, after the load starts (default 0). */
    startAfter: ms.optional(),
    /** Shown as application_name rehearse-background/<name> (default <session>-<table>). */
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . -').optional(),
    sql: z.string().min(1).optional(),
    intervalMs: z.number().int().nonnegative().optional(),
    rows: z.number().int().positive().optional(),
  })).optional(),
  /** Where Postgres comes from, like the --postgres family of flags (each flag given wins over its field). */
  postgres: z.strictObject({
    provider: z.enum(['embedded', 'docker', 'url']).optional(),
    /** Majors, e.g. [14, 18] or "14,18" (--pg). */
    versions: z.union([z.string(), z.array(z.number().int())]).optional(),
    images: z.array(z.string().min(1)).optional(),
    cpus: z.number().positive().optional(),
    memory: z.string().optional(),
    settings: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    url: z.string().optional(),
    disposable: z.string().optional(),
    allowForeignSessions: z.boolean().optional(),
  }).optional(),
  /** Add a hardened variant per variant (--harden). */
  harden: z.boolean().optional(),
  /** Rehearse the rollback (--rehearse-rollback). */
  rehearseRollback: z.boolean().optional(),
});

export type RehearseConfig = z.input<typeof ConfigSchema>;

export const defineConfig = <const T extends RehearseConfig>(config: T): T => config;

export const CONFIG_NAMES = ['rehearse.config.ts', 'rehearse.config.mts', 'rehearse.config.js', 'rehearse.config.mjs'];

/** The config file in `dir`, if there is one. */
export const findConfig = (dir: string): string | null => CONFIG_NAMES.map((n) => path.join(dir, n)).find((f) => existsSync(f)) ?? null;

/** "2s" → 2000; numbers are milliseconds. */
export const durationMs = (v: number | string): number => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(v.trim())!;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm']);
};

export interface LoadedConfig {
  file: string;
  config: z.output<typeof ConfigSchema>;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new RehearseError('REH_INPUT_NOT_FOUND', `config file ${file} does not exist`, { where: file });
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(abs).href);
  } catch (cause) {
    throw new RehearseError('REH_CONFIG_INVALID', `could not load the config: ${(cause as Error).message}`, { cause, where: abs });
  }
  const parsed = ConfigSchema.safeParse(mod.default);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    const first = parsed.error.issues[0]?.path[0];
    throw new RehearseError('REH_CONFIG_INVALID', `invalid config:\n  - ${issues.join('\n  - ')}`, { where: typeof first === 'string' ? lineOf(abs, first) : abs });
  }
  const dir = path.dirname(abs);
  const c = parsed.data;
  const rel = (p: string | undefined) => (p === undefined ? undefined : path.resolve(dir, p));
  return { file: abs, config: { ...c, schema: rel(c.schema), migrations: rel(c.migrations), workload: rel(c.workload), out: rel(c.out), scenario: c.scenario && /[/\\.]/.test(c.scenario) ? rel(c.scenario) : c.scenario } };
}

function lineOf(file: string, key: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`\\b${key}\\s*:`).test(l));
  return `${file}:${i >= 0 ? i + 1 : 1}`;
}
