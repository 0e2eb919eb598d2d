// Reading report.json files back (for `rehearse report` and `rehearse compare`): any schema
// version this build knows is upgraded to the current shape; anything else is a clear error.
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import type { RunReport } from '../model/schema.ts';
import { upgradeReport } from '../model/upgrade-report.ts';

export async function readReport(file: string): Promise<RunReport> {
  if (!existsSync(file)) throw new RehearseError('REH_INPUT_NOT_FOUND', `report ${file} does not exist`, { where: file });
  const target = statSync(file).isDirectory() ? path.join(file, 'report.json') : file;
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(target, 'utf8'));
  } catch (cause) {
    throw new RehearseError('REH_REPORT_INVALID', `${target} is not JSON: ${(cause as Error).message}`, { cause, where: target });
  }
  const up = upgradeReport(raw);
  if ('problem' in up) throw new RehearseError('REH_REPORT_INVALID', `${target}: ${up.problem}`, { where: target });
  return up.report;
}

/** Every report.json under dir (dir/<run-id>/report.json, dir/*.json), skipping files that are not reports. */
export async function findReports(dir: string): Promise<{ report: RunReport; file: string }[]> {
  if (!existsSync(dir)) throw new RehearseError('REH_INPUT_NOT_FOUND', `baseline directory ${dir} does not exist`, { where: dir });
  const out: { report: RunReport; file: string }[] = [];
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.json')) continue;
    const file = path.join(e.parentPath, e.name);
    try {
      const up = upgradeReport(JSON.parse(await fs.readFile(file, 'utf8')));
      if ('report' in up) out.push({ report: up.report, file });
    } catch {
      // Not JSON, or not a report: a baseline directory may hold other files.
    }
  }
  return out;
}
