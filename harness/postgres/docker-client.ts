// The Docker connection, through testcontainers (which finds DOCKER_HOST, the socket, Docker
// Desktop, Colima, …). We clean up ourselves (cleanup.ts, docker-reaper.ts), so testcontainers'
// Ryuk sidecar stays off unless the user turned it on: it needs an image from a registry.
import { existsSync } from 'node:fs';
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';
import { RehearseError } from '../errors.ts';

export type DockerClient = ContainerRuntimeClient;

export async function dockerClient(): Promise<DockerClient> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // testcontainers falls back to other sockets when DOCKER_HOST does not answer; a DOCKER_HOST the
  // user set is what they meant, so a socket that is not there is an answer, not a reason to look elsewhere.
  const socket = /^unix:\/\/(.+)$/.exec(process.env.DOCKER_HOST ?? '')?.[1];
  if (socket && !existsSync(socket)) {
    throw new RehearseError('REH_PG_DOCKER_UNAVAILABLE', `no Docker daemon answers at DOCKER_HOST=${process.env.DOCKER_HOST}: ${socket} does not exist`);
  }
  try {
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.ping();
    return client;
  } catch (cause) {
    throw new RehearseError('REH_PG_DOCKER_UNAVAILABLE', `no Docker daemon answers: ${(cause as Error).message}`, { cause });
  }
}

/** Docker answers here; for tests that must skip (with a reason) where it does not. */
export async function dockerAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await dockerClient();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
