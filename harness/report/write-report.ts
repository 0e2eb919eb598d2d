// Writes <out>/<run-id>/ with every registered renderer that has a run file (report.json,
// report.html, junit.xml, summary.md), and points <out>/latest at it. Each file is written to a
// temp name and renamed into place, so a reader (or an interrupt) never sees half a report. If
// the out dir cannot take it at the end of a run (disk full, dir removed), the report goes to a
// fallback dir in the temp dir instead: a measured run is never lost to a write error.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import type { RunReport } from '../model/schema.ts';
import { ensureDir } from '../out-dir.ts';
import { redactSecrets } from '../redact.ts';
import { RENDERERS } from './renderers.ts';

export interface ReportPaths {
  dir: string;
  json: string;
  html: string;
  /** Set when the out dir failed and the report went to the fallback dir: why. */
  fallbackBecause?: string;
}

/** Where reports go when the out dir fails: <tmp>/rehearse-reports/<run-id>/. */
export const fallbackReportDir = (): string => path.join(tmpdir(), 'rehearse-reports');

/** Every string in the report with its credentials masked (a step error may quote a connection URL). */
export function redactReport<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactReport) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactReport(v)])) as T;
  return value;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Every run file of the report into dir (also how `rehearse report` re-renders an old report). report.json first: it is the source. */
export async function writeRunFiles(raw: RunReport, dir: string, opts: { skipJson?: boolean } = {}): Promise<string[]> {
  const report = redactReport(raw);
  ensureDir(dir);
  const written: string[] = [];
  const renderers = Object.values(RENDERERS).sort((a, b) => Number(('runFile' in b && b.runFile === 'report.json')) - Number(('runFile' in a && a.runFile === 'report.json')));
  for (const r of renderers) {
    if (!('runFile' in r) || !r.runFile || (opts.skipJson && r.runFile === 'report.json')) continue;
    const file = path.join(dir, r.runFile);
    await writeAtomically(file, r.render(report));
    written.push(file);
  }
  return written;
}

async function writeInto(report: RunReport, outDir: string): Promise<ReportPaths> {
  const dir = path.join(outDir, report.runId);
  await writeRunFiles(report, dir);
  return { dir, json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
}

/** Replace the link atomically so a reader never sees it missing. Best effort: a report without the link is still a report. */
async function pointLatest(outDir: string, runId: string): Promise<void> {
  const tmp = path.join(outDir, `.latest-${process.pid}`);
  await fs.rm(tmp, { force: true });
  await fs.symlink(runId, tmp);
  await fs.rename(tmp, path.join(outDir, 'latest')).catch(async (err) => {
    await fs.rm(tmp, { force: true });
    throw err;
  });
}

export async function writeReport(raw: RunReport, outDir: string, log: (line: string) => void = () => {}): Promise<ReportPaths> {
  const report = redactReport(raw);
  try {
    const paths = await writeInto(report, outDir);
    await pointLatest(outDir, report.runId).catch((err) => log(`  note: could not update ${path.join(outDir, 'latest')}: ${(err as Error).message}`));
    return paths;
  } catch (err) {
    const because = err instanceof RehearseError ? err.message : `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${(err as Error).message}`;
    const fallback = fallbackReportDir();
    try {
      const paths = await writeInto(report, fallback);
      log(`could not write the report to ${outDir} (${because}); wrote it to ${paths.dir} instead`);
      return { ...paths, fallbackBecause: because };
    } catch (err2) {
      throw new RehearseError('REH_REPORT_WRITE_FAILED', `could not write the report to ${outDir} (${because}) nor to ${fallback} (${(err2 as Error).message})`, { cause: err2 });
    }
  }
}
