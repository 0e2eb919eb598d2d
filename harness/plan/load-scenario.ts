// Finds scenarios by name (scenarios/<name>.ts) or by path, and checks their shape so a mistake
// is reported with its place and a fix, not as a crash in the middle of a run. Each step kind
// validates its own fields (runner/step-kinds.ts); every problem is reported at once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RehearseError } from '../errors.ts';
import { budgetProblems, parseBudgetKey } from '../model/budgets.ts';
import { stepKindOf, STEP_KINDS } from '../runner/step-kinds.ts';
import type { ScenarioDefinition, Step } from '../scenario.ts';
import { resolveSqlFileStep } from './sql-files.ts';

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
  const loaded = mod.default as ScenarioDefinition | undefined;
  if (!loaded || typeof loaded !== 'object') throw new RehearseError('REH_SCENARIO_INVALID', 'the scenario file has no default export of defineScenario({...})', { where: file });
  // The app loads its own input first (e.g. a workload file), so its versions are known below.
  if (typeof loaded.app?.prepare === 'function') await loaded.app.prepare({ scenarioFile: file });
  const { scenario: s, problems: fileProblems } = withSqlFiles(loaded, path.dirname(file));
  const problems = [...fileProblems, ...(await validateScenario(s))];
  if (problems.length) {
    const where = lineOf(file, problems[0]!.needle);
    throw new RehearseError('REH_SCENARIO_INVALID', `invalid scenario:\n  - ${problems.map((p) => p.message).join('\n  - ')}`, { where });
  }
  return s;
}

export interface Problem { message: string; needle: string }

/** `sql` steps that name a file get its text and source; a missing file is a problem, not a crash. */
function withSqlFiles(s: ScenarioDefinition, baseDir: string): { scenario: ScenarioDefinition; problems: Problem[] } {
  const problems: Problem[] = [];
  const resolve = (step: Step, vname: string): Step => {
    if (step?.kind !== 'sql' || step.file === undefined) return step;
    try {
      return resolveSqlFileStep(step, baseDir);
    } catch (err) {
      if (!(err instanceof RehearseError)) throw err;
      problems.push({ message: `variant "${vname}" step ${step.name}: ${err.message}`, needle: step.file });
      return step;
    }
  };
  const variants = Object.fromEntries(Object.entries(s.variants ?? {}).map(([name, v]) => [name, { ...v, steps: (v.steps ?? []).map((st) => resolve(st, name)) }]));
  return { scenario: { ...s, variants }, problems };
}

/** Collects every problem at once (like k6's config validation), each with text to locate it. */
export async function validateScenario(s: ScenarioDefinition): Promise<Problem[]> {
  const out: Problem[] = [];
  const add = (message: string, needle: string) => out.push({ message, needle });
  if (typeof s.name !== 'string' || !s.name) add('`name` must be a non-empty string', 'name');
  if (!s.app || typeof s.app.create !== 'function') add('`app` must be an app spec, e.g. sampleApp({ initialVersion, versions }) from sample-app/app.ts', 'app');
  const versions = Object.keys(s.app?.versions ?? {});
  if (s.app && !versions.includes(s.app.initialVersion)) add(`app.initialVersion "${s.app.initialVersion}" is not one of app.versions (${versions.join(', ')})`, 'initialVersion');
  if (!s.variants || Object.keys(s.variants).length === 0) add('`variants` must define at least one variant', 'variants');
  for (const [vname, v] of Object.entries(s.variants ?? {})) {
    const names = new Set<string>();
    for (const [i, step] of (v.steps ?? []).entries()) {
      const at = `variant "${vname}" step ${i + 1} (${step?.name ?? 'unnamed'})`;
      const needle = step?.name ? `'${step.name}'` : vname;
      if (!step?.name) add(`${at}: every step needs a name`, vname);
      else if (names.has(step.name)) add(`${at}: duplicate step name`, needle);
      names.add(step?.name);
      const kind = stepKindOf(step?.kind);
      if (!kind) {
        add(`${at}: unknown kind "${(step as { kind?: string })?.kind}" (${Object.keys(STEP_KINDS).join(', ')})`, needle);
        continue;
      }
      for (const p of await kind.validate(step, { versions })) add(`${at}: ${p}`, needle);
    }
  }
  for (const p of budgetScopeProblems(s)) add(p.message, p.needle);
  return out;
}

/** Budgets parse, and the steps and variants they name exist in the scenario. */
function budgetScopeProblems(s: ScenarioDefinition): Problem[] {
  const decl = s.budgets as Record<string, unknown> | undefined;
  const out = budgetProblems(decl).map((p) => ({ message: `budgets: ${p}`, needle: 'budgets' }));
  if (out.length || !decl) return out;
  const variants = Object.keys(s.variants ?? {});
  const steps = new Set(Object.values(s.variants ?? {}).flatMap((v) => (v.steps ?? []).map((st) => st?.name)));
  for (const key of Object.keys(decl)) {
    const p = parseBudgetKey(key);
    if ('problem' in p) continue;
    if (p.scope.step !== undefined && !steps.has(p.scope.step)) out.push({ message: `budgets: ${key}: no variant has a step "${p.scope.step}" (steps: ${[...steps].join(', ')})`, needle: key });
    if (p.scope.variant !== undefined && !variants.includes(p.scope.variant)) out.push({ message: `budgets: ${key}: no variant "${p.scope.variant}" (variants: ${variants.join(', ')})`, needle: key });
  }
  return out;
}
