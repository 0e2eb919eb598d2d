// The outputs a CI job asks for beyond each run's own files: one JUnit file and one Markdown
// summary for every report of the invocation, the summary also appended to
// $GITHUB_STEP_SUMMARY when GitHub Actions sets it, and an index page when several scenarios ran.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../model/schema.ts';
import { renderIndex } from '../report/render-index.ts';
import { renderJunit } from '../report/render-junit.ts';
import { renderMarkdown } from '../report/render-markdown.ts';

export interface CiOutputOptions {
  junit?: string;
  summaryMd?: string;
  /** Write <indexDir>/index.html linking each run's report.html. */
  indexDir?: string;
  /** Each report's HTML file, in the order of the reports. */
  htmlFiles: readonly string[];
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
};

export function writeCiOutputs(reports: readonly RunReport[], o: CiOutputOptions): void {
  if (!reports.length) return;
  const rel = (from: string) => o.htmlFiles.map((f) => path.relative(from, f).split(path.sep).join('/'));
  if (o.junit) {
    write(o.junit, renderJunit(reports));
    o.log(`junit:   ${o.junit}`);
  }
  if (o.summaryMd) {
    write(o.summaryMd, renderMarkdown(reports, rel(path.dirname(path.resolve(o.summaryMd)))));
    o.log(`summary: ${o.summaryMd}`);
  }
  const stepSummary = (o.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, renderMarkdown(reports));
  if (o.indexDir) {
    const file = path.join(o.indexDir, 'index.html');
    write(file, renderIndex(reports, rel(o.indexDir)));
    o.log(`index:   ${file}`);
  }
}
