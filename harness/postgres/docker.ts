// Postgres in a container, through testcontainers: for users who want an exact image and an
// instance-class-sized box (CPU and memory limits). Host networking keeps all traffic on
// 127.0.0.1 like the embedded provider; the server listens on loopback only, with trust auth
// there, as embedded does. Ready means `SELECT 1` answers (the official image restarts its
// server once after init, so a log line or an open port is not enough).
import { randomUUID } from 'node:crypto';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { RehearseError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { redactSecrets } from '../redact.ts';
import { dockerClient, type DockerClient } from './docker-client.ts';
import { ownerLabels, reapStaleContainers } from './docker-reaper.ts';
import { removeContainersSync, resourceSettings, startupProblem } from './docker-support.ts';
import { freePort } from './free-port.ts';
import { localImageName } from './image/build-image.ts';
import { PGDATA } from './image/rootfs.ts';
import { checkpoint, installPgStatStatements, readServerVersion, waitForSelect1 } from './server-setup.ts';
import { parseCpus, parseList, parseMajors, parseSize } from './postgres-flags.ts';
import { majorOf, OWNED_SERVER, REHEARSAL_SETTINGS, type PostgresHandle, type PostgresStartOptions, type ProviderEntry } from './provider.ts';

export interface DockerSpec {
  provider: 'docker';
  /** Default rehearse/postgres:18, built locally by `npm run pg:image`; postgres:18 from a registry works too. */
  image?: string;
  cpus?: number;
  memoryBytes?: number;
  settings?: Record<string, string>;
}

export interface DockerOptions extends PostgresStartOptions {
  /** How long a slow start may take before we give up (default 120 s). */
  startupTimeoutMs?: number;
  /** Start from this committed image (a warm-start cache entry) made from `spec.image`. */
  fromImage?: string;
}

const INSTANCE_LABEL = 'rehearse.instance';
const PORT_ATTEMPTS = 3;
const TAIL_LINES = 40;

async function imageId(client: DockerClient, image: string): Promise<string | null> {
  const info = await client.container.dockerode.getImage(image).inspect().catch(() => null);
  return info?.Id ?? null;
}

export async function startDockerPostgres(spec: DockerSpec, opts: DockerOptions = {}): Promise<PostgresHandle> {
  const client = await dockerClient();
  const docker = client.container.dockerode;
  for (const id of await reapStaleContainers(client)) process.stderr.write(`rehearse: removed the postgres container of a run that died without cleaning up (${id.slice(0, 12)})\n`);

  const image = spec.image ?? localImageName();
  const baseId = await imageId(client, image);
  if (image.startsWith('rehearse/') && !baseId) {
    throw new RehearseError('REH_PG_IMAGE_MISSING', `the image ${image} is not built on this machine`);
  }
  const runImage = opts.fromImage ?? image;
  const settings = { ...REHEARSAL_SETTINGS, ...resourceSettings(spec.memoryBytes), ...spec.settings, listen_addresses: '127.0.0.1' };
  const instance = randomUUID();
  // Registered before the container exists: a Ctrl-C during start still finds it by label.
  const removeSync = () => removeContainersSync(`${INSTANCE_LABEL}=${instance}`);
  let container: StartedTestContainer | undefined;
  // One stop, however many callers: each waits until the container is really gone.
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= removeAll());
  const removeAll = async () => {
    await container?.stop({ timeout: 10_000, remove: true, removeVolumes: true }).catch(() => removeSync());
    const left = await docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${instance}`] } });
    for (const c of left) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
    unregister();
  };
  const unregister = registerCleanup({ name: `postgres container ${instance}`, run: stop, runSync: removeSync });

  const tail: string[] = [];
  const onLine = (raw: string) => {
    const line = redactSecrets(raw.trimEnd());
    if (!line) return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    opts.onLog?.(line);
  };

  let port = 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS && !container; attempt++) {
    port = await freePort();
    const command = ['postgres', '-p', String(port)];
    for (const [k, v] of Object.entries(settings)) command.push('-c', `${k}=${v}`);
    let candidate = new GenericContainer(runImage)
      .withNetworkMode('host')
      .withEnvironment({ POSTGRES_USER: 'postgres', POSTGRES_DB: 'postgres', POSTGRES_HOST_AUTH_METHOD: 'trust', PGDATA })
      .withCommand(command)
      .withLabels({ ...ownerLabels(), [INSTANCE_LABEL]: instance })
      .withSharedMemorySize(Math.min(1024 ** 3, (spec.memoryBytes ?? Infinity) / 2))
      .withLogConsumer((stream) => stream.on('data', (b: Buffer | string) => String(b).split('\n').forEach(onLine)));
    if (spec.cpus !== undefined || spec.memoryBytes !== undefined) {
      candidate = candidate.withResourcesQuota({ cpu: spec.cpus, memory: spec.memoryBytes !== undefined ? spec.memoryBytes / 1024 ** 3 : undefined });
    }
    try {
      const started = await candidate.start();
      await waitForSelect1(`postgres://postgres@127.0.0.1:${port}/postgres`, {
        timeoutMs: opts.startupTimeoutMs ?? 120_000,
        gone: async () => {
          const s = (await docker.getContainer(started.getId()).inspect()).State;
          return s.Running ? null : `the container exited (code ${s.ExitCode})`;
        },
        tail: () => tail.join('\n'),
      }).catch(async (err) => {
        await started.stop({ remove: true, removeVolumes: true }).catch(() => {});
        throw err;
      });
      container = started;
    } catch (err) {
      lastError = err;
    }
  }
  if (!container) {
    await stop();
    throw await startupProblem(lastError, runImage, () => imageId(client, runImage));
  }

  const started = container;
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  try {
    const version = await readServerVersion(url());
    await installPgStatStatements(url('template1'));
    // Pulled by start() when it was not here yet.
    const id = baseId ?? (await imageId(client, image))!;
    return {
      provider: 'docker',
      version,
      major: majorOf(version),
      host: '127.0.0.1',
      port,
      url,
      logFile: null,
      ...OWNED_SERVER,
      notes: [`container from ${image} (${id.slice(7, 19)})${spec.cpus ? `, ${spec.cpus} CPUs` : ''}${spec.memoryBytes ? `, ${(spec.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory` : ''}`],
      snapshot: {
        identity: `docker ${id}`,
        async save(dir, lease) {
          // Committed stopped: the image holds a cleanly shut-down cluster.
          await checkpoint(url());
          const c = docker.getContainer(started.getId());
          await c.stop({ t: 30 });
          const tag = `seed-${dir.split('/').pop()!.replace(/[^a-z0-9_.-]/gi, '').toLowerCase().slice(-40)}`;
          try {
            await c.commit({ repo: 'rehearse/seed-cache', tag, comment: 'rehearse warm-start cache' });
          } finally {
            const restartedAt = Math.floor(Date.now() / 1000);
            await c.start();
            (await started.logs({ since: restartedAt })).on('data', (b: Buffer | string) => String(b).split('\n').forEach(onLine));
            await waitForSelect1(url(), { timeoutMs: opts.startupTimeoutMs ?? 120_000, gone: () => null, tail: () => tail.join('\n') });
          }
          // The image is immutable: nothing to hold. The running container goes on as before.
          await lease.release();
          const info = await docker.getImage(`rehearse/seed-cache:${tag}`).inspect();
          return { kind: 'docker-image', ref: `rehearse/seed-cache:${tag}`, sizeBytes: info.Size };
        },
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const IMAGE_REF = /^[a-z0-9][\w.\/:@-]*$/i;

export const dockerProvider: ProviderEntry<DockerSpec> = {
  flags: ['pg', 'pgImage', 'pgCpus', 'pgMemory'],
  fromFlags(flags, problem) {
    const cpus = flags.pgCpus === undefined ? undefined : parseCpus(flags.pgCpus, problem);
    const memoryBytes = flags.pgMemory === undefined ? undefined : parseSize(flags.pgMemory, problem);
    const named = (flags.pgImage ?? []).flatMap(parseList);
    if (named.length && flags.pg !== undefined) problem('--pg', 'give either --pg (local rehearse/postgres images) or --pg-image, not both');
    for (const image of named) if (!IMAGE_REF.test(image)) problem('--pg-image', `"${image}" is not an image reference, e.g. postgres:18 or rehearse/postgres:16`);
    const majors = flags.pg === undefined ? [] : parseMajors(flags.pg, problem);
    const images = named.length ? named : flags.pg !== undefined ? majors.map((m) => localImageName(m)) : [localImageName()];
    return images.map((image) => ({ provider: 'docker', image, cpus, memoryBytes }));
  },
  start: (spec, opts) => startDockerPostgres(spec, opts),
  describe: (spec) =>
    `docker ${spec.image ?? localImageName()}${spec.cpus ? `, ${spec.cpus} CPUs` : ''}${spec.memoryBytes ? `, ${+(spec.memoryBytes / 1024 ** 3).toFixed(2)} GiB` : ''}`,
  snapshots: {
    async identity(spec) {
      const client = await dockerClient().catch(() => null);
      const id = client && (await imageId(client, spec.image ?? localImageName()));
      return id ? `docker ${id}` : null;
    },
    restore: async (spec, saved, lease, opts) => {
      await lease.release(); // every container from the image gets its own writable layer
      return startDockerPostgres(spec, { ...opts, fromImage: saved.ref });
    },
  },
};
