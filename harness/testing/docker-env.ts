// Docker tests run wherever a daemon and the local image are there, and say why they skip
// where not. In CI (CI=true) a missing daemon or image fails instead: CI must test for real.
import { dockerAvailable, dockerClient } from '../postgres/docker-client.ts';
import { localImageName } from '../postgres/image/build-image.ts';

export interface DockerTestEnv {
  ready: boolean;
  /** Why the tests cannot run here ("" when ready). */
  reason: string;
  /** CI=true: not being ready is a failure, not a skip. */
  mustRun: boolean;
}

export async function dockerTestEnv(): Promise<DockerTestEnv> {
  const mustRun = process.env.CI === 'true';
  const daemon = await dockerAvailable();
  if (!daemon.ok) return { ready: false, reason: daemon.reason, mustRun };
  const image = localImageName();
  const found = await (await dockerClient()).container.dockerode.getImage(image).inspect().then(() => true, () => false);
  if (!found) return { ready: false, reason: `${image} is not built (run \`npm run pg:image\`)`, mustRun };
  return { ready: true, reason: '', mustRun };
}
