// Opens the rendered report in a real Chromium: proves it works offline (one request: the file),
// runs without errors under its own CSP, and actually draws step bands and the stall.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from './render-html.ts';
import { buildSampleReport } from './fixtures/sample-report.ts';

// CHROMIUM_PATH lets a developer on another OS point at their own Chromium build.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = fileURLToPath(new URL('./fixtures/out/', import.meta.url));
const present = existsSync(CHROMIUM);
// Locally a missing browser skips with a message; in CI (which installs chromium) it must run and fail loudly.
const skip = !present && !process.env.CI;
if (skip) console.warn(`[render-html.browser.test] SKIPPED: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` (CI=1 turns this into a failure).`);

/** Pixels of an exact colour in a canvas: how we check what was drawn, since canvas text is not in the DOM. */
const countColor = (page: Page, chartId: string, rgb: [number, number, number]): Promise<number> =>
  page.evaluate(
    ([id, [r, g, b]]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`#${id} canvas`);
      if (!canvas) return -1;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) n++;
      return n;
    },
    [chartId, rgb] as const,
  );

describe.skipIf(skip)('the rendered report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let fileUrl: string;
  const requests: string[] = []; // every request the page issued (fires even when CSP blocks it)
  const routed: string[] = []; // every request that reached the network layer
  const problems: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required when CI is set`).toBe(true);
    mkdirSync(OUT_DIR, { recursive: true });
    const file = `${OUT_DIR}report.html`;
    writeFileSync(file, renderHtml(buildSampleReport()));
    fileUrl = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    // Record and block everything that is not the report itself, so a regression cannot reach the network.
    await page.route('**/*', (route) => {
      routed.push(route.request().url());
      return route.request().url() === fileUrl ? route.continue() : route.abort();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('requests nothing but the report file itself', () => {
    expect(requests).toEqual([fileUrl]);
    expect(routed).toEqual([fileUrl]);
  });

  it('runs without console errors, CSP violations or page errors', () => {
    expect(problems).toEqual([]);
  });

  it('draws three chart canvases per variant (traffic, database, CPU) with warm-up and the step bands labelled', async () => {
    expect(await page.locator('.chart-canvas canvas').count()).toBe(6);
    const labels = async (id: string): Promise<string[]> => JSON.parse((await page.getAttribute(`#${id}`, 'data-band-labels')) ?? '[]');
    expect(await labels('chart-0-traffic')).toEqual(['warm-up · not counted', '1 alter-type']);
    expect(await labels('chart-0-cpu')).toEqual(['warm-up · not counted', '1 alter-type']);
    expect(await labels('chart-1-traffic')).toEqual(expect.arrayContaining(['2 deploy-dual-write', '3 backfill-balance-cents', '5 deploy-read-new']));
    await expect.poll(() => page.locator('#v1 .band-legend').innerText()).toContain('backfill-balance-cents');
  });

  it('paints the stall red on the naive chart and nowhere on the stall-free variant', async () => {
    expect(await page.getAttribute('#chart-0-traffic', 'data-stall-markers')).toBe('1');
    const stallRed: [number, number, number] = [0xdc, 0x26, 0x26];
    expect(await countColor(page, 'chart-0-traffic', stallRed)).toBeGreaterThan(500);
    expect(await countColor(page, 'chart-1-traffic', stallRed)).toBe(0);
  });

  it('hatches the seconds in which the machine was saturated, only where they were', async () => {
    expect(await page.getAttribute('#chart-0-cpu', 'data-saturated-spans')).toBe('1');
    expect(await page.getAttribute('#chart-1-cpu', 'data-saturated-spans')).toBe('0');
    await expect.poll(() => page.locator('#v0 .band-legend').innerText()).toContain('machine CPU saturated 2 s');
  });

  it('lists warm-up before the steps as not counted, and each variant\'s steady state in the comparison', async () => {
    expect(await page.locator('#v0 tr.warmup-row').innerText()).toMatch(/warm-up\s+auto\s+not counted\s+8\.00 s/);
    expect(await page.locator('#v0 .warmup-item').innerText()).toContain('0.0 s–8.0 s');
    expect(await page.locator('#compare').innerText()).toMatch(/p99 12 ms\s+200 req\/s/);
  });

  it('saves a full-page screenshot for humans to review', async () => {
    const path = `${OUT_DIR}screenshot.png`;
    await page.screenshot({ path, fullPage: true });
    expect(existsSync(path)).toBe(true);
  });
});
