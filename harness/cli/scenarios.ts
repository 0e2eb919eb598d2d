// Finds scenarios by name (scenarios/<name>.ts) or by path, and checks their shape so a
// mistake is reported with its place and a fix, not as a crash in the middle of a run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RehearseError } from '../errors.ts';
import type { ScenarioDefinition } from '../scenario.ts';
import { SqlSyntaxError, splitStatements } from '../sql/split-statements.ts';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function listScenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3)).sort();
}

export function resolveScenarioFile(nameOrPath: string): string {
  const byName = path.join(SCENARIOS_DIR, `${nameOrPath}.ts`);
  if (/^[a-z0-9-]+$/i.test(nameOrPath) && existsSync(byName)) return byName;
  const asPath = path.resolve(nameOrPath);
  if (existsSync(asPath)) return asPath;
  throw new RehearseError('REH_CLI_UNKNOWN_SCENARIO', `unknown scenario "${nameOrPath}" (known: ${listScenarioNames().join(', ')})`);
}

/** Line of the first occurrence of `needle` in the file, for error locations. */
function lineOf(file: string, needle: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  return `${file}:${i >= 0 ? i + 1 : 1}`;
}

export async function loadScenario(file: string): Promise<ScenarioDefinition> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (cause) {
    throw new RehearseError('REH_SCENARIO_INVALID', `could not load scenario: ${(cause as Error).message}`, { cause, where: file });
  }
  const s = mod.default as ScenarioDefinition | undefined;
  if (!s || typeof s !== 'object') throw new RehearseError('REH_SCENARIO_INVALID', 'the scenario file has no default export of defineScenario({...})', { where: file });
  const problems = await validateScenario(s);
  if (problems.length) {
    const where = lineOf(file, problems[0]!.needle);
    throw new RehearseError('REH_SCENARIO_INVALID', `invalid scenario:\n  - ${problems.map((p) => p.message).join('\n  - ')}`, { where });
  }
  return s;
}

interface Problem { message: string; needle: string }

async function checkSql(sql: string | string[], at: string, needle: string, add: (m: string, n: string) => void, forbidNoTx = false): Promise<void> {
  for (const text of Array.isArray(sql) ? sql : [sql]) {
    try {
      const stmts = await splitStatements(text);
      if (stmts.length === 0) add(`${at}: no SQL statement in ${JSON.stringify(text)}`, needle);
      if (forbidNoTx) for (const st of stmts.filter((x) => x.noTransaction)) add(`${at}: "${st.sql}" cannot run inside a transaction block; remove transaction: true`, needle);
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      add(`${at}: SQL syntax error on line ${err.line} of the statement: ${err.message}`, needle);
    }
  }
}

/** Collects every problem at once (like k6's config validation), each with text to locate it. */
export async function validateScenario(s: ScenarioDefinition): Promise<Problem[]> {
  const out: Problem[] = [];
  const add = (message: string, needle: string) => out.push({ message, needle });
  if (typeof s.name !== 'string' || !s.name) add('`name` must be a non-empty string', 'name');
  const versions = s.app?.versions ?? {};
  if (!s.app || !versions[s.app.initialVersion]) add(`app.initialVersion "${s.app?.initialVersion}" is not one of app.versions (${Object.keys(versions).join(', ')})`, 'initialVersion');
  if (!s.variants || Object.keys(s.variants).length === 0) add('`variants` must define at least one variant', 'variants');
  const ident = /^[a-z_][a-z0-9_.]*$/i;
  for (const [vname, v] of Object.entries(s.variants ?? {})) {
    const names = new Set<string>();
    for (const [i, step] of (v.steps ?? []).entries()) {
      const at = `variant "${vname}" step ${i + 1} (${step?.name ?? 'unnamed'})`;
      const needle = step?.name ? `'${step.name}'` : vname;
      if (!step?.name) add(`${at}: every step needs a name`, vname);
      else if (names.has(step.name)) add(`${at}: duplicate step name`, needle);
      names.add(step?.name);
      switch (step?.kind) {
        case 'sql':
          if (!(typeof step.sql === 'string' ? step.sql.trim() : Array.isArray(step.sql) && step.sql.length && step.sql.every((x) => typeof x === 'string' && x.trim()))) add(`${at}: sql must be a statement or a non-empty list of statements`, needle);
          else await checkSql(step.sql, at, needle, add, step.transaction === true);
          if (step.lockTimeoutMs !== undefined && !(step.lockTimeoutMs > 0)) add(`${at}: lockTimeoutMs must be > 0`, needle);
          break;
        case 'deploy':
          if (!versions[step.version]) add(`${at}: version "${step.version}" is not one of app.versions (${Object.keys(versions).join(', ')})`, needle);
          break;
        case 'backfill':
          if (!ident.test(step.table ?? '')) add(`${at}: table must be an identifier`, needle);
          if (step.key !== undefined && !ident.test(step.key)) add(`${at}: key must be an identifier`, needle);
          if (!step.set) add(`${at}: set (the SET clause) is required`, needle);
          if (step.batchSize !== undefined && !(Number.isInteger(step.batchSize) && step.batchSize > 0)) add(`${at}: batchSize must be a positive integer`, needle);
          break;
        case 'verify':
          if (!step.sql?.trim()) add(`${at}: sql (the invariant query) is required`, needle);
          else await checkSql(step.sql, at, needle, add);
          break;
        case 'pause':
          if (!(step.seconds >= 0)) add(`${at}: seconds must be ≥ 0`, needle);
          break;
        default:
          add(`${at}: unknown kind "${(step as { kind?: string })?.kind}" (sql, deploy, backfill, verify, pause)`, needle);
      }
    }
  }
  return out;
}
