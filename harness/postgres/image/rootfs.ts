// The root filesystem of the local Postgres image, made from what this machine already has:
// the staged embedded binaries (with their bundled ICU/OpenSSL/libxml), the system libraries
// they link against (found with ldd), dash for the entrypoint, and a `postgres` user. No
// registry, no package manager: `FROM scratch` plus these files is the whole image.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PgBinaries } from '../embedded-binaries.ts';

const run = promisify(execFile);

/** uid/gid of `postgres` in the official image, so volumes move between the two. */
export const POSTGRES_UID = 999;
export const PG_HOME = '/opt/postgresql';
export const PGDATA = '/var/lib/rehearse/data';

const ENTRYPOINT = fileURLToPath(new URL('./docker-entrypoint.sh', import.meta.url));

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
COPY --chown=${POSTGRES_UID}:${POSTGRES_UID} pghome/ /var/lib/rehearse/
ENV PATH=${PG_HOME}/bin:/bin PGDATA=${PGDATA} LANG=C.UTF-8
USER postgres
# Fast shutdown, as the official image: sessions are aborted, the shutdown checkpoint is written.
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
`;

async function isElf(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.toString('latin1') === '\x7fELF';
  } finally {
    await fh.close();
  }
}

/** System libraries (outside `bundled`) that `files` load, per ldd, including the dynamic loader. */
async function systemLibraries(files: string[], bundled: string): Promise<Set<string>> {
  const libs = new Set<string>();
  for (const file of files) {
    const { stdout } = await run('ldd', [file]).catch(() => ({ stdout: '' })); // ldd exits 1 for non-dynamic files
    for (const line of stdout.split('\n')) {
      // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)".
      const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
      if (m && !m[1]!.startsWith(bundled)) libs.add(m[1]!);
    }
  }
  return libs;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

/** Writes the build context (Dockerfile, rootfs/, pghome/) into `ctx`. */
export async function assembleContext(ctx: string, bins: PgBinaries): Promise<void> {
  const rootfs = path.join(ctx, 'rootfs');
  await fs.cp(bins.root, path.join(rootfs, PG_HOME), { recursive: true, verbatimSymlinks: true });

  const shell = await fs.realpath('/bin/sh');
  const elves: string[] = [shell];
  for (const f of await walk(bins.root)) if (!f.endsWith('.a') && (await isElf(f))) elves.push(f);
  for (const lib of await systemLibraries(elves, bins.root)) {
    await fs.mkdir(path.join(rootfs, path.dirname(lib)), { recursive: true });
    await fs.copyFile(await fs.realpath(lib), path.join(rootfs, lib));
    await fs.chmod(path.join(rootfs, lib), 0o755);
  }
  await fs.mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await fs.copyFile(shell, path.join(rootfs, 'bin/sh'));
  await fs.chmod(path.join(rootfs, 'bin/sh'), 0o755);

  const etc = path.join(rootfs, 'etc');
  await fs.mkdir(etc, { recursive: true });
  await fs.writeFile(path.join(etc, 'passwd'), `root:x:0:0:root:/root:/bin/sh\npostgres:x:${POSTGRES_UID}:${POSTGRES_UID}:PostgreSQL:/var/lib/rehearse:/bin/sh\n`);
  await fs.writeFile(path.join(etc, 'group'), `root:x:0:\npostgres:x:${POSTGRES_UID}:\n`);
  await fs.writeFile(path.join(etc, 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files\n');
  await fs.mkdir(path.join(rootfs, 'tmp'), { mode: 0o1777 });
  await fs.chmod(path.join(rootfs, 'tmp'), 0o1777);
  await fs.mkdir(path.join(rootfs, 'usr/local/bin'), { recursive: true });
  await fs.copyFile(ENTRYPOINT, path.join(rootfs, 'usr/local/bin/docker-entrypoint.sh'));
  await fs.chmod(path.join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), 0o755);

  // /var/lib/rehearse belongs to postgres (COPY --chown); the data dir inside is made by initdb.
  await fs.mkdir(path.join(ctx, 'pghome'));
  await fs.writeFile(path.join(ctx, 'pghome', '.keep'), '');
  await fs.writeFile(path.join(ctx, 'Dockerfile'), DOCKERFILE);
}

/** sha256 over every path, mode, symlink target and file content of the context: same hash, same image. */
export async function contextHash(ctx: string): Promise<string> {
  const h = createHash('sha256');
  const entries = (await fs.readdir(ctx, { withFileTypes: true, recursive: true }))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const p of entries) {
    const st = await fs.lstat(p);
    h.update(`${path.relative(ctx, p)}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(await fs.readlink(p));
    else if (st.isFile()) h.update(await fs.readFile(p));
    h.update('\0');
  }
  return h.digest('hex');
}
