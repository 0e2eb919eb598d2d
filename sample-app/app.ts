// The sample app as an app under test: `sampleApp({ initialVersion, versions })` in a scenario.
// Each version is a set of data-access overrides layered over the baseline queries; instances
// load the scenario file to get them, so old and new code really coexist in a rolling deploy.
import { fileURLToPath } from 'node:url';
import type { AppSpec } from '../harness/app/types.ts';
import { RehearseError } from '../harness/errors.ts';
import type { DataAccess } from './data-access.ts';
import { DEFAULT_MIX, sampleMixFor } from './request-mix.ts';

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));

/** What one version of the sample app runs: overrides of the baseline queries. */
export type SampleVersion = Partial<DataAccess>;

export interface SampleAppOptions {
  initialVersion: string;
  versions: Record<string, SampleVersion>;
  /** Route weights (default DEFAULT_MIX). */
  mix?: Record<string, number>;
}

export const sampleApp = (o: SampleAppOptions): AppSpec & { versions: Record<string, SampleVersion> } => ({
  name: 'sample-app',
  initialVersion: o.initialVersion,
  versions: o.versions,
  // Imported lazily: app instances load the scenario file too, and need none of the seeder.
  defaultDataset: async () => (await import('./dataset/index.ts')).sampleDataset(),
  async create(ctx) {
    if (!ctx.scenarioFile) {
      throw new RehearseError('REH_SCENARIO_INVALID', 'the sample app runs its versions from a scenario file, and this run has none', { hint: 'Run a scenario file that uses sampleApp(), or use a workload app.' });
    }
    const scenarioFile = ctx.scenarioFile;
    const mix = o.mix ?? DEFAULT_MIX;
    return {
      mix,
      instanceCommand: () => ({ entry: SERVER_ENTRY, args: ['--scenario', scenarioFile] }),
      requestFactory: (url, tag) => sampleMixFor(url, tag, mix),
    };
  },
});
