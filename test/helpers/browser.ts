/**
 * Browser tests drive Debian's Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH) through
 * playwright-core. Where it is absent, a test file registers one skipped test that says so.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../src/demo/browser.js';
import { CHROMIUM_MISSING, findChromium } from '../../src/report/chromium.js';
import type { Owner } from './server.js';

export const chromiumPath = findChromium();
export const SKIP_REASON = `browser tests skipped: ${CHROMIUM_MISSING}`;

/** One browser for a test file (launched in `test.before`, closed by the shared teardown). */
export async function launchBrowser(owner: Owner): Promise<Browser> {
  if (chromiumPath === undefined) throw new Error(CHROMIUM_MISSING);
  const browser = await launchChromium(chromiumPath);
  owner.teardown(() => browser.close());
  return browser;
}

/** A fresh context (its own storage) and page for one test; page errors and CSP reports are collected. */
export async function openPage(
  t: Owner,
  browser: Browser,
  url: string,
  viewport = { width: 1100, height: 720 },
): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { page, context, problems };
}

/** Joins through the page, by the "Nick" label, and waits for the own JOIN in the log. */
export async function joinAs(page: Page, nick: string): Promise<void> {
  await page.getByLabel('Nick').fill(nick);
  await page.getByLabel('Nick').press('Enter');
  await page.getByRole('log').locator('.joined', { hasText: nick }).first().waitFor();
}

/** Types a line into the "Message" box and presses Enter. */
export async function say(page: Page, line: string): Promise<void> {
  const box = page.getByLabel('Message');
  await box.fill(line);
  await box.press('Enter');
}

/** The seqs of the public events the log shows, in order (each line keeps its seq in `data-seq`). */
export async function shownSeqs(page: Page): Promise<number[]> {
  const lines = await page.getByRole('log').locator('[data-seq]').all();
  return Promise.all(lines.map(async (line) => Number(await line.getAttribute('data-seq'))));
}
