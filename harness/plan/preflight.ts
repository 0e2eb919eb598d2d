// Everything that can be checked before Postgres is provisioned, so a run never fails after
// minutes of seeding for a reason that was knowable at the start: the out dir takes a real file,
// the temp dir has room for the rows asked for, and the Postgres port can be bound. (The
// scenario, its SQL and the variants are checked when the plan is made.) Every problem found is
// reported at once.
import { statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { RowsSpec } from '../dataset/types.ts';
import { RehearseError } from '../errors.ts';
import { checkWritableDir } from '../out-dir.ts';
import { datasetOf } from '../runner/rehearse.ts';
import type { ScenarioDefinition } from '../scenario.ts';

/**
 * Peak disk use of a run, in seeded databases: the seed itself and the WAL it writes, one
 * variant's copy (variants run one after another and drop theirs), and that copy rewritten once
 * by the migration (a table rewrite writes a new copy before dropping the old).
 */
export const DISK_FACTOR = 3;

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 2 : 1)} GB`;

/** Can we listen on 127.0.0.1 (on `port`, or on any free port)? */
const bindProblem = (port: number): Promise<NodeJS.ErrnoException | null> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(null)));
  });

export async function checkPorts(pgPort: number | undefined): Promise<RehearseError | null> {
  const err = await bindProblem(pgPort ?? 0);
  if (!err) return null;
  if (pgPort === undefined) return new RehearseError('REH_PORT_UNAVAILABLE', `cannot listen on 127.0.0.1 (${err.code}): Postgres and the app instances need loopback ports`, { cause: err, hint: 'Run where loopback networking is allowed (a sandbox or container may block it).' });
  const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs privileges this user does not have' : `cannot be bound (${err.code})`;
  return new RehearseError('REH_PORT_UNAVAILABLE', `--pg-port ${pgPort} ${why} on 127.0.0.1`, { where: `--pg-port ${pgPort}`, cause: err });
}

/** A problem, null when there is room, or 'unknown' when the dataset cannot estimate its size. */
export async function checkDiskSpace(scenario: ScenarioDefinition, rows: RowsSpec, dir = tmpdir()): Promise<RehearseError | null | 'unknown'> {
  const dataset = await datasetOf(scenario);
  const estimate = dataset.estimateBytes?.(rows);
  if (!estimate) return 'unknown';
  const st = await statfs(dir);
  const free = Number(st.bavail) * Number(st.bsize);
  const need = estimate.bytes * DISK_FACTOR;
  if (need <= free) return null;
  return new RehearseError(
    'REH_DISK_SPACE',
    `the run needs about ${gb(need)} free in ${dir}, which has ${gb(free)}: ${estimate.explain} = ${gb(estimate.bytes)} seeded, × ${DISK_FACTOR} for the seed's WAL, a variant's copy and a rewrite of it`,
    { where: dir },
  );
}

export interface PreflightInput {
  outDir: string;
  rows: RowsSpec;
  scenario: ScenarioDefinition;
  pgPort?: number;
}

/**
 * Throws one RehearseError carrying every problem found (see RehearseError.also). Returns what
 * could not be checked, in words, for the log.
 */
export async function preflight(p: PreflightInput): Promise<string[]> {
  const problems: RehearseError[] = [];
  const unchecked: string[] = [];
  try {
    checkWritableDir(p.outDir);
  } catch (err) {
    if (!(err instanceof RehearseError)) throw err;
    problems.push(err);
  }
  for (const check of [checkDiskSpace(p.scenario, p.rows), checkPorts(p.pgPort)]) {
    try {
      const problem = await check;
      if (problem === 'unknown') unchecked.push(`disk space was not checked: the dataset (${(await datasetOf(p.scenario)).description}) gives no size estimate`);
      else if (problem) problems.push(problem);
    } catch (err) {
      // A dataset that rejects the row spec (e.g. a table it does not have) is a problem of its own.
      if (!(err instanceof RehearseError)) throw err;
      problems.push(err);
    }
  }
  const all = RehearseError.all(problems);
  if (all) throw all;
  return unchecked;
}
