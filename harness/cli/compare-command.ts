// `rehearse compare <baseline.json> <current.json>` or `--baseline-dir <dir> <current.json…>`:
// a regression table per variant and step, and an exit code that says whether anything got
// worse than the baseline beyond tolerance (EXIT.regressed).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from '../errors.ts';
import { compareReports, pickBaseline, type Comparison } from '../model/compare.ts';
import { findReports, readReport } from '../report/read-report.ts';
import { renderComparisonMarkdown, renderComparisonText } from '../report/render-compare.ts';
import type { CliOptions } from './args.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

export async function compareCommand(opts: CliOptions, log: (line: string) => void): Promise<ExitCode> {
  const comparisons: Comparison[] = [];
  if (opts.baselineDir) {
    const candidates = await findReports(opts.baselineDir);
    const seen = new Set<string>();
    for (const file of opts.files) {
      const current = await readReport(file);
      // reports/*/report.json also matches reports/latest: compare each run once.
      if (seen.has(current.runId)) continue;
      seen.add(current.runId);
      const base = pickBaseline(candidates, current.scenario, current.startedAt, current.runId);
      if (!base) {
        log(`${current.scenario}: no earlier report of this scenario under ${opts.baselineDir}: nothing to compare (a first run sets the baseline)`);
        continue;
      }
      log(`${current.scenario}: baseline ${base.file}`);
      comparisons.push(compareReports(base.report, current, opts.tolerances));
    }
  } else {
    const [baseline, current] = [await readReport(opts.files[0]!), await readReport(opts.files[1]!)];
    if (baseline.scenario !== current.scenario) {
      throw new RehearseError('REH_COMPARE_MISMATCH', `the baseline is a report of "${baseline.scenario}" and the current one of "${current.scenario}"`, { where: opts.files[0] });
    }
    comparisons.push(compareReports(baseline, current, opts.tolerances));
  }
  for (const c of comparisons) log(renderComparisonText(c));
  const md = comparisons.map(renderComparisonMarkdown).join('\n');
  if (opts.summaryMd && comparisons.length) {
    mkdirSync(path.dirname(path.resolve(opts.summaryMd)), { recursive: true });
    writeFileSync(opts.summaryMd, md);
  }
  if (process.env.GITHUB_STEP_SUMMARY && comparisons.length) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  return comparisons.some((c) => c.regressed) ? EXIT.regressed : EXIT.ok;
}
