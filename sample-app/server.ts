// Entry point of one sample-app instance, run as its own process by harness/app/fleet.ts. The
// instance protocol (config, pool, IPC, drain on shutdown) is the harness's; this file only
// picks the version's data access out of the scenario file.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { serveInstance } from '../harness/app/instance.ts';
import type { ScenarioDefinition } from '../harness/scenario.ts';
import type { SampleVersion } from './app.ts';
import { build } from './build-app.ts';
import { withOverrides } from './data-access.ts';

const { values } = parseArgs({ options: { scenario: { type: 'string' } } });

await serveInstance(async (config, pool) => {
  const scenario = (await import(pathToFileURL(values.scenario!).href)).default as ScenarioDefinition;
  const overrides = scenario.app.versions[config.version] as SampleVersion | undefined;
  if (!overrides) throw new Error(`unknown app version ${config.version}`);
  return build({ version: { name: config.version, data: withOverrides(overrides) }, pool });
});
