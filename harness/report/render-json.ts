// report.json: the single source every other output is rendered from (docs/report-schema.md).
import type { Renderer } from './renderers.ts';

export const jsonRenderer: Renderer = {
  runFile: 'report.json',
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
