#!/usr/bin/env node
/**
 * `npm run screenshot`: runs the demo in a tmux session (`run.js --tmux`), captures every pane
 * once the scenario has passed, lays the captures out as the tmux window looked, and renders that
 * with headless Chromium to docs/images/demo-tmux.png. Needs tmux and Chromium; says so when
 * either is missing. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CHROMIUM_MISSING, findChromium, screenshot } from '../report/chromium.js';
import { panePicture, pictureSize, type CapturedPane } from './pane-picture.js';
import { tmuxAvailable } from './tmux-stage.js';
import { runScript } from '../cli/run-script.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_PATH = fileURLToPath(new URL('./run.js', import.meta.url));
const DEMO_TIMEOUT_MS = 120_000;
const SETTLE_POLL_MS = 200;
const SETTLE_TIMEOUT_MS = 10_000;
/** The moment pictured: after the worker kill and the stream check, before the shutdown. */
const PICTURED_STEP = 9;

interface ScreenshotOptions {
  out: string;
}

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function takeScreenshot(options: ScreenshotOptions): Promise<number> {
  const chromium = findChromium();
  const missing = [
    tmuxAvailable() ? undefined : 'tmux is not installed (apt-get install tmux)',
    chromium === undefined ? CHROMIUM_MISSING : undefined,
  ];
  if (chromium === undefined || missing.some((reason) => reason !== undefined)) {
    for (const reason of missing) if (reason !== undefined) process.stderr.write(`screenshot: ${reason}\n`);
    process.stderr.write(
      "screenshot: it captures the demo's tmux panes and renders them with headless Chromium, so it needs both.\n",
    );
    return 1;
  }
  const session = `clusterchat-screenshot-${process.pid}`;
  const demo = spawn(
    process.execPath,
    [RUN_PATH, '--tmux', '--no-attach', '--session', session, '--linger', '300', '--stop-after', String(PICTURED_STEP)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const stopDemo = () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGTERM');
  };
  process.once('exit', stopDemo);
  try {
    await demoPassed(demo);
    const panes = await settledPanes(session);
    const [columns = 0, rows = 0] = tmux(
      'display-message',
      '-p',
      '-t',
      `=${session}:`,
      '#{window_width} #{window_height}',
    )
      .trim()
      .split(' ')
      .map(Number);
    const work = mkdtempSync(join(tmpdir(), 'clusterchat-screenshot-'));
    try {
      const html = join(work, 'demo.html');
      writeFileSync(html, panePicture(panes, columns, rows, 'clusterchat demo in tmux'));
      const { width, height } = pictureSize(columns, rows);
      await screenshot(chromium, html, options.out, width, height);
      process.stdout.write(`screenshot: wrote ${relative(process.cwd(), options.out)} (${width}×${height})\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return 0;
  } finally {
    stopDemo();
  }
}

/** Resolves once the demo reports that every step passed; rejects when it fails or ends first. */
function demoPassed(demo: ChildProcessByStdio<null, Readable, null>): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(new Error(`the demo did not pass within ${DEMO_TIMEOUT_MS / 1000} s`));
    }, DEMO_TIMEOUT_MS);
    demo.stdout.setEncoding('utf8');
    demo.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (/demo passed/.test(output)) {
        clearTimeout(timer);
        resolve();
      } else if (/demo failed/.test(output)) {
        clearTimeout(timer);
        reject(new Error(`the demo failed, so there is nothing worth a picture:\n${output.slice(-3_000)}`));
      }
    });
    demo.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo ended (code ${code}) before it passed:\n${output.slice(-3_000)}`));
    });
  });
}

/** The panes, captured again until two captures in a row agree: every `tail` has drawn its last line. */
async function settledPanes(session: string): Promise<CapturedPane[]> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let previous = '';
  for (;;) {
    const panes = capturePanes(session);
    const current = JSON.stringify(panes);
    if (current === previous || Date.now() > deadline) return panes;
    previous = current;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

function capturePanes(session: string): CapturedPane[] {
  const listing = tmux(
    'list-panes',
    '-s',
    '-t',
    `=${session}`,
    '-F',
    '#{pane_id}\t#{pane_left}\t#{pane_top}\t#{pane_width}\t#{pane_height}\t#{pane_title}',
  );
  return listing
    .trim()
    .split('\n')
    .map((row) => {
      const [id = '', left, top, width, height, title] = row.split('\t');
      const lines = tmux('capture-pane', '-p', '-t', id).replace(/\n+$/, '').split('\n');
      return {
        title: title ?? '',
        left: Number(left),
        top: Number(top),
        width: Number(width),
        height: Number(height),
        lines,
      };
    });
}

await runScript(
  new Command('clusterchat-screenshot')
    .description('Render the demo, running in tmux, to a PNG (needs tmux and Chromium).')
    .option('--out <file>', 'where to write the PNG', join(ROOT, 'docs/images/demo-tmux.png'))
    .action(async (options: ScreenshotOptions) => {
      process.exitCode = await takeScreenshot(options);
    }),
  'screenshot',
);
