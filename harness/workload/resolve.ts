// Static checks of a workload and its resolution into what instances run: every problem at
// once (unknown generator, `$n` not matching params, SQL syntax errors, unknown fields, version
// overrides of queries that do not exist…), each with the query it is about so the loader can
// point at file:line. Needs no database; the checks against the seeded database are in check-database.ts.
import { Faker, base, en } from '@faker-js/faker';
import { loadModule, scanSync } from 'libpg-query';
import { SqlSyntaxError, splitStatements } from '../sql/split-statements.ts';
import { checkParam } from './check-params.ts';
import type { QueryDef, VersionDef, WorkloadDefinition } from './define.ts';
import type { Param } from './generators.ts';
import { nearMatches } from './names.ts';

export const BASE_VERSION = 'base';

/** A statement as an instance runs it: placeholders renumbered to the params it references. */
export interface ResolvedStatement {
  sql: string;
  /** 0-based indexes into the request's params, in the order of this statement's `$1…$k`. */
  params: number[];
}

export interface ResolvedRoute {
  /** Share of the traffic, normalised so all routes sum to 1. */
  weight: number;
  /** The params every request of this route carries (the longest list over versions). */
  params: Param[];
  /** Version → the statements it runs for this route, or null when it does not serve it. */
  versions: Record<string, ResolvedStatement[] | null>;
  /** Version → the SQL as written, for reports. */
  sql: Record<string, string[] | null>;
}

export interface ResolvedWorkload {
  versions: string[];
  routes: Record<string, ResolvedRoute>;
}

/** What an instance process reads (a JSON file): the statements of every version. */
export interface InstanceWorkload {
  versions: Record<string, Record<string, ResolvedStatement[]>>;
}

export interface WorkloadProblem {
  message: string;
  /** The query (and version) it is about, to find its line in the file. */
  query?: string;
  version?: string;
  /** 1-based line inside the query's SQL, for syntax errors. */
  sqlLine?: number;
}

const QUERY_FIELDS = ['sql', 'params', 'weight'];

export function instanceWorkload(w: ResolvedWorkload): InstanceWorkload {
  const versions: InstanceWorkload['versions'] = {};
  for (const v of w.versions) {
    versions[v] = {};
    for (const [name, r] of Object.entries(w.routes)) {
      const s = r.versions[v];
      if (s) versions[v]![name] = s;
    }
  }
  return { versions };
}

/** Validates and resolves; `problems` is empty when the workload is usable. */
export async function resolveWorkload(def: WorkloadDefinition): Promise<{ workload: ResolvedWorkload | null; problems: WorkloadProblem[] }> {
  await loadModule();
  const problems: WorkloadProblem[] = [];
  const add = (message: string, at: Omit<WorkloadProblem, 'message'> = {}) => problems.push({ message, ...at });
  if (!def || typeof def !== 'object' || !def.queries || typeof def.queries !== 'object') {
    add('the workload must be `defineWorkload({ queries: { name: { sql, params, weight } } })`');
    return { workload: null, problems };
  }
  for (const key of Object.keys(def)) if (key !== 'queries' && key !== 'versions') add(`unknown field \`${key}\` (known: queries, versions)`);
  const baseNames = Object.keys(def.queries);
  if (baseNames.length === 0) add('`queries` is empty: a workload needs at least one query');
  const versionDefs: Record<string, VersionDef> = def.versions ?? {};
  if (typeof versionDefs !== 'object') add('`versions` must map a version name to the queries it changes');
  if (Object.hasOwn(versionDefs, BASE_VERSION)) add(`"${BASE_VERSION}" is the name of the queries as written; name your versions differently`, { version: BASE_VERSION });
  const versions = [BASE_VERSION, ...Object.keys(versionDefs).filter((v) => v !== BASE_VERSION)];

  // Each version's full query map: base queries layered with the version's changes.
  const perVersion: Record<string, Record<string, QueryDef | null>> = { [BASE_VERSION]: { ...def.queries } };
  for (const [v, changes] of Object.entries(versionDefs)) {
    if (v === BASE_VERSION) continue;
    const map: Record<string, QueryDef | null> = { ...def.queries };
    if (!changes || typeof changes !== 'object') {
      add(`version "${v}" must map query names to what it changes`, { version: v });
      perVersion[v] = map;
      continue;
    }
    for (const [q, change] of Object.entries(changes)) {
      const at = { query: q, version: v };
      const base = def.queries[q];
      if (change === null) {
        if (!base) add(`version "${v}" removes query "${q}", which the base does not define${didYouMean(q, baseNames)}`, at);
        map[q] = null;
        continue;
      }
      if (typeof change !== 'object') {
        add(`version "${v}": query "${q}" must be { sql, params? } or null`, at);
        continue;
      }
      for (const key of Object.keys(change)) if (!QUERY_FIELDS.includes(key)) add(`version "${v}", query "${q}": unknown field \`${key}\` (known: ${QUERY_FIELDS.join(', ')})`, at);
      if (base) {
        if (change.weight !== undefined) add(`version "${v}", query "${q}": a version cannot change a weight (the traffic clients send does not change with a deploy)`, at);
        map[q] = { ...base, ...change, weight: base.weight };
      } else if (change.sql === undefined || change.weight === undefined) {
        add(`version "${v}" changes query "${q}", which the base does not define${didYouMean(q, baseNames)}; a query a version adds needs sql and weight`, at);
      } else {
        map[q] = change as QueryDef;
      }
    }
    perVersion[v] = map;
  }

  const names = [...new Set(versions.flatMap((v) => Object.keys(perVersion[v] ?? {})))];
  const fakerCheck = new Faker({ locale: [en, base] });
  const routes: Record<string, ResolvedRoute> = {};
  for (const name of names) {
    if (!name || name.length > 200 || name.includes('/')) add(`query name "${name}" must be 1–200 characters without "/" (it is the route name)`, { query: name });
    const route: ResolvedRoute = { weight: 0, params: [], versions: {}, sql: {} };
    const seen = new Set<string>(); // validate a shared definition once
    for (const v of versions) {
      const q = perVersion[v]?.[name];
      if (!q) {
        route.versions[v] = null;
        route.sql[v] = null;
        continue;
      }
      if (v !== BASE_VERSION && q === def.queries[name]) {
        // Unchanged in this version: the base's statements, checked once.
        route.versions[v] = route.versions[BASE_VERSION] ?? null;
        route.sql[v] = route.sql[BASE_VERSION] ?? null;
        continue;
      }
      const at = { query: name, ...(v === BASE_VERSION ? {} : { version: v }) };
      const label = at.version ? `version "${v}", query "${name}"` : `query "${name}"`;
      if (v === BASE_VERSION || !def.queries[name]) {
        for (const key of Object.keys(q)) if (!QUERY_FIELDS.includes(key)) add(`${label}: unknown field \`${key}\` (known: ${QUERY_FIELDS.join(', ')})`, at);
        const w = q.weight ?? 1;
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) add(`${label}: weight must be a number ≥ 0 (got ${JSON.stringify(q.weight)})`, at);
        else route.weight = w;
      }
      const params = q.params ?? [];
      if (!Array.isArray(params)) {
        add(`${label}: params must be an array, one entry per placeholder`, at);
        continue;
      }
      const key = JSON.stringify(params);
      if (!seen.has(key)) {
        seen.add(key);
        params.forEach((p, i) => checkParam(p, `${label}: params[${i}]`, (m) => add(m, at), fakerCheck));
      }
      // Every version's list must begin with the others: the request carries the longest.
      const [short, long] = params.length <= route.params.length ? [params, route.params] : [route.params, params];
      if (JSON.stringify(long.slice(0, short.length)) !== JSON.stringify(short)) {
        add(`${label}: its params must begin with the params of the other versions (a request is made before the balancer picks an instance; append new params at the end)`, at);
      } else if (params.length > route.params.length) route.params = params;
      const sqlTexts = typeof q.sql === 'string' ? [q.sql] : q.sql;
      if (!Array.isArray(sqlTexts) || sqlTexts.length === 0 || sqlTexts.some((s) => typeof s !== 'string' || !s.trim())) {
        add(`${label}: sql must be a non-empty string or a list of them`, at);
        continue;
      }
      route.sql[v] = sqlTexts;
      route.versions[v] = await statementsOf(sqlTexts, params.length, label, (m, sqlLine) => add(m, { ...at, ...(sqlLine ? { sqlLine } : {}) }));
    }
    routes[name] = route;
  }
  const total = Object.values(routes).reduce((s, r) => s + r.weight, 0);
  if (names.length && !(total > 0)) add('every query has weight 0: nothing would be sent');
  for (const r of Object.values(routes)) r.weight = total > 0 ? r.weight / total : 0;
  return { workload: problems.length ? null : { versions, routes }, problems };
}

const didYouMean = (name: string, candidates: string[]) => {
  const near = nearMatches(name, candidates);
  return near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(', ')}?)` : '';
};

/** Splits, checks syntax and placeholders, renumbers each statement to the params it uses. */
async function statementsOf(texts: string[], paramCount: number, label: string, add: (m: string, sqlLine?: number) => void) {
  const out: ResolvedStatement[] = [];
  const used = new Set<number>();
  let lineOffset = 0;
  let parsed = true;
  for (const text of texts) {
    try {
      const stmts = await splitStatements(text);
      if (stmts.length === 0) add(`${label}: the SQL has no statement`);
      for (const s of stmts) {
        const numbers = paramNumbers(s.sql);
        numbers.forEach((n) => used.add(n));
        out.push(renumber(s.sql, numbers));
      }
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      add(`${label}: SQL syntax error at line ${err.line}, column ${err.column}: ${err.message}`, lineOffset + err.line);
      parsed = false;
    }
    lineOffset += text.split('\n').length;
  }
  if (!parsed) return out; // placeholders of SQL that does not parse are not known
  const max = Math.max(0, ...used);
  const missing = Array.from({ length: Math.max(max, paramCount) }, (_, i) => i + 1).filter((n) => !used.has(n));
  if (max > paramCount) add(`${label}: the SQL uses $${max} but params has ${paramCount} entr${paramCount === 1 ? 'y' : 'ies'}`);
  else if (missing.length) add(`${label}: params has ${paramCount} entr${paramCount === 1 ? 'y' : 'ies'} but the SQL never uses ${missing.map((n) => `$${n}`).join(', ')} (PostgreSQL cannot type an unused parameter)`);
  return out;
}

/** `$n` placeholders of one statement, by byte position (the scanner's offsets are bytes). */
function paramTokens(sql: string): { start: number; end: number; n: number }[] {
  return scanSync(sql).tokens.filter((t) => t.tokenName === 'PARAM').map((t) => ({ start: t.start, end: t.end, n: Number(t.text.slice(1)) }));
}

const paramNumbers = (sql: string): number[] => [...new Set(paramTokens(sql).map((t) => t.n))].sort((a, b) => a - b);

/** Rewrites `$3 … $5` into `$1 … $2` so the statement gets exactly the params it references. */
function renumber(sql: string, numbers: number[]): ResolvedStatement {
  const index = new Map(numbers.map((n, i) => [n, i + 1]));
  const bytes = Buffer.from(sql, 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  for (const t of paramTokens(sql)) {
    parts.push(bytes.subarray(at, t.start), Buffer.from(`$${index.get(t.n)}`));
    at = t.end;
  }
  parts.push(bytes.subarray(at));
  return { sql: Buffer.concat(parts).toString('utf8'), params: numbers.map((n) => n - 1) };
}
