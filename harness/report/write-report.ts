// Writes reports/<run-id>/report.json and report.html, and points reports/latest at it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderHtml } from './render-html.ts';
import type { RunReport } from '../model/schema.ts';

export async function writeReport(report: RunReport, outDir: string): Promise<{ dir: string; json: string; html: string }> {
  const dir = path.join(outDir, report.runId);
  await fs.mkdir(dir, { recursive: true });
  const json = path.join(dir, 'report.json');
  const html = path.join(dir, 'report.html');
  await fs.writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await fs.writeFile(html, renderHtml(report));
  // Replace the link atomically so a reader never sees it missing.
  const tmp = path.join(outDir, `.latest-${process.pid}`);
  await fs.rm(tmp, { force: true });
  await fs.symlink(report.runId, tmp);
  await fs.rename(tmp, path.join(outDir, 'latest'));
  return { dir, json, html };
}
