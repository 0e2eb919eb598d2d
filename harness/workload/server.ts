// Entry point of one workload-app instance, run as its own process by harness/app/fleet.ts. The
// instance protocol (config, pool, IPC, drain on shutdown) is the harness's; this file only reads
// the resolved workload the harness wrote (a JSON file) and serves its version's queries.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serveInstance } from '../app/instance.ts';
import { buildWorkloadServer } from './build-server.ts';
import type { InstanceWorkload } from './resolve.ts';

const { values } = parseArgs({ options: { workload: { type: 'string' } } });

await serveInstance((config, pool) => {
  if (!values.workload) throw new Error('--workload <file> is required');
  const workload = JSON.parse(readFileSync(values.workload, 'utf8')) as InstanceWorkload;
  const routes = workload.versions[config.version];
  if (!routes) throw new Error(`unknown app version ${config.version} (the workload has ${Object.keys(workload.versions).join(', ')})`);
  return buildWorkloadServer({ version: config.version, routes, pool });
});
