// `rehearse report <report.json…>`: re-renders old reports with this build's renderers (any
// schema version it knows), prints their summaries, and writes the CI outputs asked for.
import path from 'node:path';
import type { RunReport } from '../model/schema.ts';
import { formatConsoleSummary } from '../report/format-console.ts';
import { readReport } from '../report/read-report.ts';
import { writeRunFiles } from '../report/write-report.ts';
import type { CliOptions } from './args.ts';
import { writeCiOutputs } from './ci-outputs.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

export async function reportCommand(opts: CliOptions, log: (line: string) => void): Promise<ExitCode> {
  const reports: RunReport[] = [];
  const htmlFiles: string[] = [];
  // Read every file first: one bad file is reported before anything is written.
  for (const file of opts.files) reports.push(await readReport(file));
  for (const [i, report] of reports.entries()) {
    const source = opts.files[i]!;
    const sourceDir = source.endsWith('.json') ? path.dirname(source) : source;
    // Next to the report by default (report.json is left as it is); with --out, a complete copy there.
    const dir = opts.explicit.has('out') ? path.join(opts.out, report.runId) : sourceDir;
    const written = await writeRunFiles(report, dir, { skipJson: !opts.explicit.has('out') });
    htmlFiles.push(path.join(dir, 'report.html'));
    log(formatConsoleSummary(report));
    log(`re-rendered ${source} (schema v${report.schemaVersion}):\n  ${written.join('\n  ')}\n`);
  }
  writeCiOutputs(reports, { junit: opts.junit, summaryMd: opts.summaryMd, indexDir: reports.length > 1 ? (opts.explicit.has('out') ? opts.out : undefined) : undefined, htmlFiles, log });
  return opts.failOnBreach && reports.some((r) => r.summary.verdict === 'fail') ? EXIT.budgetBreached : EXIT.ok;
}
