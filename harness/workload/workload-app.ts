// The workload app as an app under test: `workloadApp({ workload })` in a scenario (or built by
// the CLI for --workload). It serves the user's own SQL queries, one route per query, through
// real app processes with a real pool; with no workload it derives one from the schema and the
// migrations. It names no table of its own: everything comes from the workload or the catalog.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext, AppRoute, AppSpec, AppUnderTest } from '../app/types.ts';
import { registerCleanup } from '../cleanup.ts';
import { RehearseError } from '../errors.ts';
import { readCatalog, type Catalog } from './catalog.ts';
import { checkNames, checkPickedValues, prepareNotes } from './check-database.ts';
import type { WorkloadDefinition } from './define.ts';
import { deriveWorkload } from './derive/derive-workload.ts';
import { dryRun } from './derive/dry-run.ts';
import { describeParam } from './generators.ts';
import { loadWorkload, workloadError } from './load-workload.ts';
import { createWorkloadFactory, sampleRequests } from './params.ts';
import { BASE_VERSION, instanceWorkload, resolveWorkload, type ResolvedWorkload } from './resolve.ts';
import { sampleTables } from './sample.ts';
import { pgClient } from '../postgres/client.ts';

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));

export interface WorkloadAppOptions {
  /**
   * A workload file (`export default defineWorkload({...})`; a relative path is relative to the
   * scenario file), or a definition. Omit to derive one from the schema and the migrations.
   */
  workload?: string | WorkloadDefinition;
  /** The version running before the first deploy step: "base" (the queries as written, the default) or one of `versions`. */
  initialVersion?: string;
  /** Derived workload only: load these tables ("table" or "schema.table") instead of the ones the migrations touch. */
  tables?: string[];
}

export interface WorkloadAppSpec extends AppSpec {
  /** The resolved workload (after prepare()), or null when it is derived at create(). */
  readonly resolved: ResolvedWorkload | null;
}

export function workloadApp(o: WorkloadAppOptions = {}): WorkloadAppSpec {
  const initialVersion = o.initialVersion ?? BASE_VERSION;
  let resolved: ResolvedWorkload | null = null;
  let source: string | null = null; // file that holds the definition, for error locations
  let prepared: Promise<void> | null = null;
  const name = typeof o.workload === 'string' ? `workload (${path.basename(o.workload)})` : o.workload ? 'workload' : 'workload (derived from the schema)';
  // Known without loading when the definition is inline; a file is loaded by prepare().
  const versionNames = () =>
    resolved?.versions ?? [BASE_VERSION, ...(typeof o.workload === 'object' && o.workload?.versions ? Object.keys(o.workload.versions) : [])];

  const spec: WorkloadAppSpec = {
    name,
    initialVersion,
    get versions() {
      return Object.fromEntries(versionNames().map((v) => [v, v]));
    },
    get resolved() {
      return resolved;
    },
    prepare(ctx) {
      prepared ??= (async () => {
        if (o.workload) {
          // A relative path is relative to the scenario file that names it (else to the cwd).
          const src = typeof o.workload === 'string' && ctx.scenarioFile && !path.isAbsolute(o.workload)
            ? path.resolve(path.dirname(ctx.scenarioFile), o.workload)
            : o.workload;
          const loaded = await loadWorkload(src, ctx.scenarioFile);
          resolved = loaded.resolved;
          source = loaded.file ?? ctx.scenarioFile;
        }
        if (!versionNames().includes(initialVersion)) {
          throw workloadError([{ message: `initialVersion "${initialVersion}" is not a version of the workload (${versionNames().join(', ')})` }], source);
        }
      })();
      return prepared;
    },
    async create(ctx) {
      await spec.prepare!({ scenarioFile: ctx.scenarioFile });
      return createWorkloadApp(o, ctx, resolved, source, initialVersion);
    },
  };
  return spec;
}

async function createWorkloadApp(o: WorkloadAppOptions, ctx: AppContext, given: ResolvedWorkload | null, source: string | null, initialVersion: string): Promise<AppUnderTest> {
  const notes: string[] = [];
  const c = pgClient(ctx.seededUrl, 'rehearse-setup');
  await c.connect();
  let catalog: Catalog;
  let w: ResolvedWorkload;
  try {
    catalog = await readCatalog(c);
    if (given) {
      w = given;
    } else {
      const derived = await deriveWorkload(c, catalog, { migrationSql: ctx.migrationSql, tables: o.tables });
      notes.push(...derived.notes);
      if (Object.keys(derived.definition.queries).length === 0) {
        throw new RehearseError('REH_WORKLOAD_EMPTY', `no query could be derived for the tables the migrations touch:\n  - ${notes.join('\n  - ')}`);
      }
      w = await resolveDerived(derived.definition);
    }
  } finally {
    await c.end();
  }
  checkNames(catalog, w, source ?? undefined);
  const samples = await sampleTables(ctx.seededUrl, sampleRequests(w.routes, catalog), ctx.seed);
  checkPickedValues(catalog, w, samples);

  if (!given) {
    // Keep only what runs: a derived query that fails on the seeded data is left out, with its reason.
    const failed = await dryRun(ctx.seededUrl, { routes: w.routes, catalog, samples, seed: ctx.seed, tag: 'dry-run' });
    for (const [route, why] of failed) notes.push(`${route}: left out, it fails on the seeded data: ${why}`);
    const kept = Object.fromEntries(Object.entries(w.routes).filter(([r]) => !failed.has(r)));
    if (Object.keys(kept).length === 0) throw new RehearseError('REH_WORKLOAD_EMPTY', `no derived query runs on the seeded data:\n  - ${[...failed].map(([r, why]) => `${r}: ${why}`).join('\n  - ')}`);
    const total = Object.values(kept).reduce((s, r) => s + r.weight, 0);
    for (const r of Object.values(kept)) r.weight /= total;
    w = { versions: w.versions, routes: kept };
  } else {
    notes.push(...(await prepareNotes(ctx.seededUrl, w)));
  }

  // Instances read the resolved workload from a file: argv only carries its path, never the database URL.
  const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-workload-'));
  const file = path.join(dir, 'workload.json');
  writeFileSync(file, JSON.stringify(instanceWorkload(w)));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unregister = registerCleanup({ name: `workload dir ${dir}`, run: async () => remove(), runSync: remove });

  const routes: AppRoute[] = Object.entries(w.routes).map(([route, r]) => ({
    name: route, weight: Math.round(r.weight * 10_000) / 10_000, sql: r.sql, params: r.params.map(describeParam),
  }));
  ctx.log(`workload: ${routes.length} queries (${routes.map((r) => `${r.name} ${Math.round(r.weight * 100)} %`).join(', ')}); initial version ${initialVersion}`);
  return {
    mix: Object.fromEntries(Object.entries(w.routes).map(([route, r]) => [route, r.weight])),
    routes,
    notes,
    instanceCommand: () => ({ entry: SERVER_ENTRY, args: ['--workload', file] }),
    async requestFactory(databaseUrl, tag) {
      const fresh = await sampleTables(databaseUrl, sampleRequests(w.routes, catalog), ctx.seed);
      return createWorkloadFactory({ routes: w.routes, catalog, samples: fresh, seed: ctx.seed, tag });
    },
    async dispose() {
      unregister();
      remove();
    },
  };
}

async function resolveDerived(def: WorkloadDefinition): Promise<ResolvedWorkload> {
  const { workload, problems } = await resolveWorkload(def);
  // A derived workload that does not resolve is a bug of the derivation, not of the user's input.
  if (!workload) throw new Error(`derived workload is invalid:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
  return workload;
}
