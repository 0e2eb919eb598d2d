// Writes reports/<run-id>/ with every registered renderer that has a run file (report.json,
// report.html, junit.xml, summary.md), and points reports/latest at it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../model/schema.ts';
import { RENDERERS } from './renderers.ts';

export async function writeReport(report: RunReport, outDir: string): Promise<{ dir: string; json: string; html: string }> {
  const dir = path.join(outDir, report.runId);
  await writeRunFiles(report, dir);
  // Replace the link atomically so a reader never sees it missing.
  const tmp = path.join(outDir, `.latest-${process.pid}`);
  await fs.rm(tmp, { force: true });
  await fs.symlink(report.runId, tmp);
  await fs.rename(tmp, path.join(outDir, 'latest'));
  return { dir, json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
}

/** Every run file of the report into dir (also how `rehearse report` re-renders an old report). */
export async function writeRunFiles(report: RunReport, dir: string, opts: { skipJson?: boolean } = {}): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const r of Object.values(RENDERERS)) {
    if (!('runFile' in r) || !r.runFile || (opts.skipJson && r.runFile === 'report.json')) continue;
    const file = path.join(dir, r.runFile);
    await fs.writeFile(file, r.render(report));
    written.push(file);
  }
  return written;
}
