// The docker twin of stale-reaper.ts: every container we start is labelled with the pid and host
// of the harness that owns it; on the next start, containers whose owner is gone are removed.
// This is what Ryuk does, without a sidecar image (there is no registry to pull it from).
import { hostname } from 'node:os';
import type { DockerClient } from './docker-client.ts';
import { alive } from './stale-reaper.ts';

export const OWNER_PID_LABEL = 'rehearse.owner-pid';
export const OWNER_HOST_LABEL = 'rehearse.owner-host';

export const ownerLabels = (): Record<string, string> => ({ [OWNER_PID_LABEL]: String(process.pid), [OWNER_HOST_LABEL]: hostname() });

/** Removes (with their volumes) the containers of dead harnesses on this host; returns their ids. */
export async function reapStaleContainers(client: DockerClient): Promise<string[]> {
  const docker = client.container.dockerode;
  const mine = await docker.listContainers({ all: true, filters: { label: [`${OWNER_HOST_LABEL}=${hostname()}`] } });
  const reaped: string[] = [];
  for (const c of mine) {
    const owner = Number(c.Labels[OWNER_PID_LABEL]);
    if (Number.isInteger(owner) && alive(owner)) continue;
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
    reaped.push(c.Id);
  }
  return reaped;
}
