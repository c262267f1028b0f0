/**
 * A real headless Chromium driven by playwright-core, for the web client's screenshots and
 * browser tests: Debian's Chromium (no browser download), a fresh profile per launch (Playwright
 * makes one and removes it on close), and flags that keep it from phoning home.
 */
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
