/**
 * Headless Chromium as a renderer: an HTML file to a PNG (the demo screenshot) or to a PDF (the
 * report). Each run gets a fresh profile directory and the flags that keep a headless browser
 * from phoning home, so it leaves nothing behind and needs no network.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const RUN_TIMEOUT_MS = 60_000;

export const CHROMIUM_MISSING =
  'Chromium is not installed (apt-get install chromium), or set CHROMIUM_PATH to its binary';

/** The Chromium binary: $CHROMIUM_PATH, /usr/bin/chromium, or the first known name on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.CHROMIUM_PATH;
  if (explicit !== undefined && explicit !== '') return isExecutable(explicit) ? explicit : undefined;
  const dirs = ['/usr/bin', ...(env.PATH ?? '').split(delimiter).filter((dir) => dir !== '')];
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (isExecutable(path)) return path;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function screenshot(
  chromium: string,
  htmlPath: string,
  pngPath: string,
  width: number,
  height: number,
): Promise<void> {
  await runHeadless(chromium, [
    `--screenshot=${pngPath}`,
    `--window-size=${width},${height}`,
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    pathToFileURL(htmlPath).href,
  ]);
}

export async function printPdf(chromium: string, htmlPath: string, pdfPath: string): Promise<void> {
  await runHeadless(chromium, [`--print-to-pdf=${pdfPath}`, '--no-pdf-header-footer', pathToFileURL(htmlPath).href]);
}

async function runHeadless(chromium: string, args: readonly string[]): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'clusterchat-chromium-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${profile}`,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, [...flags, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let errors = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        errors = (errors + chunk).slice(-4_000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else
          reject(
            new Error(`chromium exited with ${code ?? signal}: ${errors.trim().split('\n').slice(-3).join(' | ')}`),
          );
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
