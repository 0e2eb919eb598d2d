// `npm run pg:image`: builds rehearse/postgres:<major> from the embedded binaries, so the docker
// provider has an image where no registry can be reached. Idempotent: the build context is
// hashed, the hash is a label on the image, and an image with the same hash is not rebuilt.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RehearseError } from '../../errors.ts';
import { registerCleanup } from '../../cleanup.ts';
import { now } from '../../clock.ts';
import { DEFAULT_MAJOR, stageBinaries, type PgMajor } from '../embedded-binaries.ts';
import { dockerClient, type DockerClient } from '../docker-client.ts';
import { assembleContext, contextHash } from './rootfs.ts';

export const HASH_LABEL = 'rehearse.content-hash';
export const localImageName = (major: PgMajor = DEFAULT_MAJOR) => `rehearse/postgres:${major}`;

export interface ImageBuild {
  image: string;
  /** false: an image with the same content hash was already there. */
  built: boolean;
  seconds: number;
  contentHash: string;
}

type BuildEvent = { stream?: string; error?: string; errorDetail?: { message?: string } };

async function runBuild(client: DockerClient, ctx: string, image: string, labels: Record<string, string>, log: (l: string) => void): Promise<void> {
  const docker = client.container.dockerode;
  // System tar, not dockerode's packer: that one applies the umask and /tmp would lose its 1777.
  const tar = spawn('tar', ['-C', ctx, '--owner=0', '--group=0', '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (b) => (tarErr += b));
  const tarDone = new Promise<void>((resolve, reject) => tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${tarErr}`)))));
  const stream = await docker.buildImage(tar.stdout, { t: image, labels, forcerm: true });
  const events = await new Promise<BuildEvent[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: BuildEvent[]) => (err ? reject(err) : resolve(out)), (e: BuildEvent) => {
      if (e.stream?.trim()) log(e.stream.trim());
    }),
  );
  await tarDone;
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(failed.errorDetail?.message ?? failed.error);
}

export async function buildLocalImage(major: PgMajor = DEFAULT_MAJOR, log: (line: string) => void = () => {}): Promise<ImageBuild> {
  const started = now();
  const image = localImageName(major);
  if (process.platform !== 'linux') {
    throw new RehearseError('REH_PG_IMAGE_BUILD_FAILED', `the local image is made of this machine's Linux binaries and libraries; ${process.platform} has none`, {
      hint: 'Use an image from a registry instead, e.g. `--pg-image postgres:18`.',
    });
  }
  const bins = await stageBinaries(major);
  const client = await dockerClient();
  const ctx = await fs.mkdtemp(path.join(tmpdir(), 'rehearse-pg-image-'));
  const unregister = registerCleanup({ name: `image context ${ctx}`, run: () => fs.rm(ctx, { recursive: true, force: true }) });
  try {
    await assembleContext(ctx, bins);
    const contentHash = await contextHash(ctx);
    const existing = await client.container.dockerode.getImage(image).inspect().catch(() => null);
    if (existing?.Config?.Labels?.[HASH_LABEL] === contentHash) {
      return { image, built: false, seconds: (now() - started) / 1000, contentHash };
    }
    const labels = { [HASH_LABEL]: contentHash, 'rehearse.embedded-package': bins.packageVersion };
    await runBuild(client, ctx, image, labels, log).catch((cause: unknown) => {
      throw new RehearseError('REH_PG_IMAGE_BUILD_FAILED', `building ${image} failed: ${(cause as Error).message}`, { cause });
    });
    // The previous build lost its tag; drop it unless a container still uses it.
    if (existing) await client.container.dockerode.getImage(existing.Id).remove().catch(() => {});
    return { image, built: true, seconds: (now() - started) / 1000, contentHash };
  } finally {
    await fs.rm(ctx, { recursive: true, force: true });
    unregister();
  }
}
