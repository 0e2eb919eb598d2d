// Test helper: starts the docker provider with the usual signal cleanup, prints its port, and
// waits to be interrupted (SIGINT cleans up) or killed (SIGKILL leaves the container for the reaper).
import { installSignalCleanup } from '../cleanup.ts';
import { startDockerPostgres } from '../postgres/docker.ts';

installSignalCleanup();
const handle = await startDockerPostgres({ provider: 'docker' });
process.stdout.write(`${JSON.stringify({ port: handle.port, pid: process.pid })}\n`);
setInterval(() => {}, 1000);
