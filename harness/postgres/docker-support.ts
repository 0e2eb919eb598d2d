// Small pieces of the docker provider: memory-derived settings, the sync cleanup fallback, and
// turning a failed start into an error the user can act on.
import { spawnSync } from 'node:child_process';
import { RehearseError } from '../errors.ts';
import { redactSecrets } from '../redact.ts';

const MiB = 1024 ** 2;

/**
 * A memory limit sizes the server the way managed Postgres does (RDS, Cloud SQL: shared_buffers
 * about a quarter of RAM, effective_cache_size three quarters), so a 512MB shared_buffers default
 * never meets a 1 GiB box. --pg-setting still wins over these.
 */
export function resourceSettings(memoryBytes: number | undefined): Record<string, string> {
  if (memoryBytes === undefined) return {};
  const mb = (bytes: number) => `${Math.max(1, Math.floor(bytes / MiB))}MB`;
  return {
    shared_buffers: mb(memoryBytes / 4),
    effective_cache_size: mb((memoryBytes * 3) / 4),
    maintenance_work_mem: mb(Math.min(512 * MiB, memoryBytes / 16)),
  };
}

/** On 'exit' only sync code runs: the docker CLI, when there is one, removes what is left. */
export function removeContainersSync(labelFilter: string): void {
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${labelFilter}`], { encoding: 'utf8' });
  const list = (ids.stdout ?? '').split('\n').filter(Boolean);
  if (list.length) spawnSync('docker', ['rm', '-f', '-v', ...list], { stdio: 'ignore' });
}

export async function startupProblem(err: unknown, image: string, imageId: () => Promise<string | null>): Promise<RehearseError> {
  if (err instanceof RehearseError) return err;
  const message = redactSecrets((err as Error)?.message ?? String(err));
  if (!(await imageId())) {
    return new RehearseError('REH_PG_IMAGE_MISSING', `the image ${image} is not on this machine and could not be pulled: ${message}`, { cause: err });
  }
  return new RehearseError('REH_PG_START_FAILED', `postgres in ${image} did not start: ${message}`, { cause: err });
}
