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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * file:line of the `occurrence`-th place the needle appears, for error locations. A quoted
 * needle matches any quote style ('x', "x", `x`); a bare one matches as a key or word.
 */
function lineOf(file: string, needle: string, occurrence = 1): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const quoted = /^(['"`])(.*)\1$/.exec(needle);
  const re = quoted ? new RegExp(`(['"\`])${escapeRegExp(quoted[2]!)}\\1`) : new RegExp(`\\b${escapeRegExp(needle)}\\b`);
  let seen = 0;
  const i = lines.findIndex((l) => re.test(l) && ++seen === occurrence);
  return `${file}:${i >= 0 ? i + 1 : 1}`;
}

/** The scenario file as it appears in parser messages and stacks (tsx may name x.mts as x.ts). */
const fileInMessages = (file: string): string => `${escapeRegExp(file.replace(/\.[cm]?[jt]sx?$/, ''))}\\.[cm]?[jt]sx?`;

/** Where in the scenario file an import failed: esbuild's "file:line:col: ERROR" or the stack frame in the file. */
function importErrorLocation(err: unknown, file: string): string {
  const text = `${(err as Error)?.message ?? ''}\n${(err as Error)?.stack ?? ''}`;
  // Some transformers (vite's oxc, under vitest) name the file relative to the working directory.
  const names = [fileInMessages(file), fileInMessages(path.relative(process.cwd(), file))];
  const m = new RegExp(`(?:${names.join('|')}):(\\d+)(?::(\\d+))?`).exec(text);
  return m ? `${file}:${m[1]}${m[2] ? `:${m[2]}` : ''}` : file;
}

export async function loadScenario(file: string): Promise<ScenarioDefinition> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (cause) {
    // esbuild prefixes "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR:"; the place goes in `where`.
    // A .ts file in a package without "type": "module" is loaded as CommonJS, which cannot import the ESM it needs.
    if (/require\(\) ES Module|ERR_REQUIRE_(ASYNC_)?ESM|Cannot use import statement outside a module/.test(`${(cause as { code?: string })?.code} ${(cause as Error)?.message}`)) {
      throw new RehearseError('REH_SCENARIO_INVALID', 'could not load the scenario: it is not loaded as an ES module', { cause, where: file, hint: 'Name the scenario file .mts, or add "type": "module" to the package.json next to it.' });
    }
    const message = ((cause as Error)?.message ?? String(cause)).replace(/\x1b\[[0-9;]*m/g, '').replace(/^Transform failed with \d+ errors?:\n/, '').replace(new RegExp(`${fileInMessages(file)}:\\d+:\\d+: (ERROR: )?`, 'g'), '');
    throw new RehearseError('REH_SCENARIO_INVALID', `could not load the scenario: ${message.trim()}`, { cause, where: importErrorLocation(cause, file) });
  }
  const loaded = mod.default as ScenarioDefinition | undefined;
  if (!loaded || typeof loaded !== 'object') throw new RehearseError('REH_SCENARIO_INVALID', 'the scenario file has no default export of defineScenario({...})', { where: file });
  // The app loads its own input first (e.g. a workload file), so its versions are known below.
  if (typeof loaded.app?.prepare === 'function') await loaded.app.prepare({ scenarioFile: file });
  const { scenario: s, problems: fileProblems } = withSqlFiles(loaded, path.dirname(file));
  const problems = [...fileProblems, ...(await validateScenario(s))];
  if (problems.length) {
    // Every problem with its own place, so one read of the message fixes them all.
    const located = problems.map((p) => ({ ...p, where: lineOf(file, p.needle, p.occurrence) }));
    throw new RehearseError('REH_SCENARIO_INVALID', `invalid scenario (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${located.map((p) => `${p.where}: ${p.message}`).join('\n  - ')}`, { where: located[0]!.where });
  }
  return s;
}

export interface Problem {
  message: string;
  /** Text to find in the file; a quoted needle ('x') matches any quote style. */
  needle: string;
  /** Which occurrence of the needle (a duplicate step name is the second one). */
  occurrence?: number;
}

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
  const add = (message: string, needle: string, occurrence?: number) => out.push({ message, needle, occurrence });
  const seenNames = new Map<string, number>(); // step name → times seen in the file so far (for locating)
  if (typeof s.name !== 'string' || !s.name) add('`name` must be a non-empty string', 'name');
  if (!s.app || typeof s.app.create !== 'function') add('`app` must be an app spec, e.g. sampleApp({ initialVersion, versions }) from sample-app/app.ts', 'app');
  const versions = Object.keys(s.app?.versions ?? {});
  if (s.app && !versions.includes(s.app.initialVersion)) add(`app.initialVersion "${s.app.initialVersion}" is not one of app.versions (${versions.join(', ')})`, 'initialVersion');
  if (typeof s.description !== 'string') add('`description` must be a string (one line: what changes and why it is risky)', 'description');
  if (!s.variants || typeof s.variants !== 'object' || Object.keys(s.variants).length === 0) add('`variants` must define at least one variant', 'variants');
  for (const [vname, v] of Object.entries(s.variants ?? {})) {
    if (!Array.isArray(v?.steps)) {
      add(`variant "${vname}": \`steps\` must be a list of steps`, vname);
      continue;
    }
    const names = new Set<string>();
    for (const [i, step] of v.steps.entries()) {
      const name = typeof step?.name === 'string' ? step.name : undefined;
      const at = `variant "${vname}" step ${i + 1} (${name ?? 'unnamed'})`;
      const occurrence = name ? (seenNames.get(name) ?? 0) + 1 : undefined;
      if (name) seenNames.set(name, occurrence!);
      const needle = name ? `'${name}'` : vname;
      if (!name) add(`${at}: every step needs a name (a string)`, vname);
      else if (names.has(name)) add(`${at}: duplicate step name "${name}" (names must be unique within a variant)`, needle, occurrence);
      if (name) names.add(name);
      const kind = stepKindOf(step?.kind);
      if (!kind) {
        add(`${at}: unknown kind "${(step as { kind?: string })?.kind}" (${Object.keys(STEP_KINDS).join(', ')})`, needle, occurrence);
        continue;
      }
      for (const p of await kind.validate(step, { versions })) add(`${at}: ${p}`, needle, occurrence);
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
