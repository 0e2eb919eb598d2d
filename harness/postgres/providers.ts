// The provider registry: one entry point to start Postgres from a spec, and one validator that
// turns the --postgres family of flags into specs. A new provider is one file exporting a
// ProviderEntry (see provider.ts) plus one line in PROVIDERS below.
import { RehearseError, type ErrorCode } from '../errors.ts';
import { dockerProvider } from './docker.ts';
import { embeddedProvider } from './embedded.ts';
import { FLAG_NAMES, parseSettings, type PostgresFlags } from './postgres-flags.ts';
import type { PostgresHandle, PostgresStartOptions, ProviderEntry } from './provider.ts';
import { urlProvider } from './url.ts';

const PROVIDERS = {
  embedded: embeddedProvider,
  docker: dockerProvider,
  url: urlProvider,
} as const;

type Registry = typeof PROVIDERS;
export type ProviderName = keyof Registry;
/** What to start: `{ provider: 'embedded', major: 14 }`, `{ provider: 'docker', image, cpus, memoryBytes }`, `{ provider: 'url', url, disposable }`; each with optional `settings`. */
export type PostgresSpec = { [K in ProviderName]: Registry[K] extends ProviderEntry<infer S> ? S : never }[ProviderName];
export type SpecOf<K extends ProviderName> = Extract<PostgresSpec, { provider: K }>;

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

/** The entry for a spec's provider; typed so callers need no casts. */
export function providerOf<S extends PostgresSpec>(spec: S): ProviderEntry<S> {
  return PROVIDERS[spec.provider] as unknown as ProviderEntry<S>;
}

/** Starts (or, for url, connects to) the Postgres a spec describes. `spec.settings` are honoured by every provider. */
export function startPostgres(spec: PostgresSpec, opts: PostgresStartOptions = {}): Promise<PostgresHandle> {
  return providerOf(spec).start(spec, opts);
}

/** One line for logs and reports; never holds a password. */
export const describePostgres = (spec: PostgresSpec): string => providerOf(spec).describe(spec);

export type ParsedPostgres = { ok: true; specs: PostgresSpec[] } | { ok: false; errors: RehearseError[] };

/**
 * Validates the --postgres family of flags and returns one spec per server to rehearse on
 * (`--pg 14,16,18` or several `--pg-image` give several), or every problem found, each a
 * coded RehearseError whose `where` is the flag.
 */
export function parsePostgresSpecs(flags: PostgresFlags, env: NodeJS.ProcessEnv = process.env): ParsedPostgres {
  const errors: RehearseError[] = [];
  const problem = (flag: string, message: string, code: ErrorCode = 'REH_PG_SPEC_INVALID') =>
    errors.push(new RehearseError(code, `${flag} ${message}`, { where: flag }));

  const name = (flags.postgres ?? 'embedded').trim();
  if (!(name in PROVIDERS)) {
    problem('--postgres', `"${name}" is not a provider; use one of ${PROVIDER_NAMES.join(', ')}`);
    return { ok: false, errors };
  }
  const entry = PROVIDERS[name as ProviderName] as ProviderEntry<PostgresSpec>;
  for (const key of Object.keys(FLAG_NAMES) as (keyof PostgresFlags)[]) {
    if (key === 'postgres' || key === 'pgSetting' || flags[key] === undefined) continue;
    if (!entry.flags.includes(key)) {
      const takers = PROVIDER_NAMES.filter((p) => (PROVIDERS[p].flags as readonly string[]).includes(key));
      problem(FLAG_NAMES[key], `does not apply to --postgres ${name}; it goes with --postgres ${takers.join(' or ')}`);
    }
  }
  const settings = parseSettings(flags.pgSetting ?? [], problem);
  const specs = entry.fromFlags(flags, problem, env).map((s) => ({ ...s, settings }) as PostgresSpec);
  return errors.length ? { ok: false, errors } : { ok: true, specs };
}
