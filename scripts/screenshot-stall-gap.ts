// Renders the proof that a short stall reads as a gap: rehearses scenarios/testing/hold-lock.ts with
// its hold shortened to 1.3 s (small data, 100 req/s), opens the report in headless Chromium and
// saves the 100 ms responses panel to reports/screenshots/stall-gap.png.
//   node --import tsx scripts/screenshot-stall-gap.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { rehearseForTest } from '../harness/testing/run-for-test.ts';

const HOLD_S = 1.3;
const scenario = fileURLToPath(new URL('../scenarios/testing/hold-lock.ts', import.meta.url));
const out = fileURLToPath(new URL('../reports/screenshots/', import.meta.url));

const { report, paths } = await rehearseForTest(scenario, {
  rows: 2000, rate: 100, variants: ['hold'],
  edit: (s) => ({
    ...s,
    variants: {
      hold: {
        ...s.variants.hold!,
        steps: s.variants.hold!.steps.map((st) => (st.kind === 'sql' ? { ...st, sql: ['LOCK TABLE users IN ACCESS EXCLUSIVE MODE', `SELECT pg_sleep(${HOLD_S})`] } : st)),
      },
    },
  }),
});
const v = report.variants[0]!;
console.log(`longest stall ${v.summary.longestStallMs} ms (hold ${HOLD_S * 1000} ms); report ${paths.html}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(paths.html).href, { waitUntil: 'load' });
  const panel = page.locator('figure.chart', { has: page.locator('#chart-0-fine') });
  mkdirSync(out, { recursive: true });
  await panel.screenshot({ path: `${out}stall-gap.png` });
  console.log(`wrote ${out}stall-gap.png`);
} finally {
  await browser.close();
}
