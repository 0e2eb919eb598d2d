// The registry of outputs. Each renderer is one small module over the run report (the model);
// a new output is one file and one line here. Renderers with a runFile are written into every
// run's directory next to report.json; the CLI writes the others where the user asks.
import type { RunReport } from '../model/schema.ts';
import { consoleRenderer } from './format-console.ts';
import { findingsRenderer } from './render-findings.ts';
import { htmlRenderer } from './render-html.ts';
import { indexRenderer } from './render-index.ts';
import { jsonRenderer } from './render-json.ts';
import { junitRenderer } from './render-junit.ts';
import { markdownRenderer } from './render-markdown.ts';

export interface Renderer {
  /** The file written into each run's directory (reports/<run-id>/…), if any. */
  readonly runFile?: string;
  /** One run's report. */
  render(report: RunReport): string;
  /** Several runs in one output (one invocation of several scenarios); links point at each run's HTML. */
  renderMany?(reports: readonly RunReport[], ctx?: { links?: readonly (string | undefined)[] } & Record<string, unknown>): string;
}

export const RENDERERS = {
  json: jsonRenderer,
  html: htmlRenderer,
  console: consoleRenderer,
  junit: junitRenderer,
  markdown: markdownRenderer,
  index: indexRenderer,
  findings: findingsRenderer,
} as const satisfies Record<string, Renderer>;

export type RendererName = keyof typeof RENDERERS;
