#!/usr/bin/env node
/**
 * `npm run report`: assembles the lab report from the project itself into `report/report.md`
 * (title page, goal and task, protocol, demo transcript and screenshots, repository, every source
 * file of `src/`). The transcript comes from a fresh run of the demo unless `--transcript` names
 * one. `--pdf` also prints `report.pdf` through headless Chromium.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { CHROMIUM_MISSING, findChromium, printPdf } from './chromium.js';
import { escapeHtml, markdownToHtml } from './markdown-html.js';
import { reportMarkdown, type ReportInputs } from './report-document.js';
import { readSourceFiles } from './source-files.js';
import { runScript } from '../cli/run-script.js';

interface ReportOptions {
  author: string;
  group: string;
  teacher: string;
  out: string;
  pdf: boolean;
  transcript: string | undefined;
  demo: boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_PATH = fileURLToPath(new URL('../demo/run.js', import.meta.url));
const IMAGES_DIR = join(ROOT, 'docs/images');
const TITLE = 'clusterchat: lab report';

async function buildReport(options: ReportOptions): Promise<number> {
  await mkdir(options.out, { recursive: true });
  const transcript = await demoTranscript(options);
  const inputs: ReportInputs = {
    title: {
      author: options.author,
      group: options.group,
      teacher: options.teacher,
      date: new Date().toISOString().slice(0, 10),
    },
    repositoryUrl: await repositoryUrl(),
    protocolDoc: await readFile(join(ROOT, 'docs/PROTOCOL.md'), 'utf8').catch(() => undefined),
    transcript: transcript?.text === undefined ? undefined : { text: transcript.text, origin: transcript.origin },
    screenshots: await copyScreenshots(options.out),
    sources: await readSourceFiles(ROOT, 'src'),
  };
  const markdown = reportMarkdown(inputs);
  const reportPath = join(options.out, 'report.md');
  await writeFile(reportPath, markdown);
  say(`wrote ${shown(reportPath)} (${inputs.sources.length} source files, ${inputs.screenshots.length} screenshots)`);
  let code = transcript?.passed === false ? 1 : 0;
  if (code !== 0) say('the demo FAILED: its transcript is in section 3; fix it before handing the report in');
  if (options.pdf) code = Math.max(code, await writePdf(options.out, markdown));
  return code;
}

interface DemoTranscript {
  text: string | undefined;
  origin: string;
  passed: boolean;
}

async function demoTranscript(options: ReportOptions): Promise<DemoTranscript | undefined> {
  if (options.transcript !== undefined) {
    return {
      text: await readFile(options.transcript, 'utf8'),
      origin: `Transcript of a run of \`npm run demo\` (${options.transcript})`,
      passed: true,
    };
  }
  if (!options.demo) return undefined;
  const path = join(options.out, 'demo-transcript.txt');
  say('running the demo for its transcript (npm run demo)…');
  const code = await new Promise<number | null>((resolve, reject) => {
    const demo = spawn(process.execPath, [DEMO_PATH, '--transcript', path], { stdio: ['ignore', 'ignore', 'inherit'] });
    demo.once('error', reject);
    demo.once('exit', (exitCode) => {
      resolve(exitCode);
    });
  });
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
  return {
    text,
    origin: `Transcript of \`npm run demo\`, run on ${when} UTC while building this report (exit code ${code})`,
    passed: code === 0,
  };
}

async function repositoryUrl(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    repository?: { url?: unknown } | string;
  };
  const repository = manifest.repository;
  const url = typeof repository === 'string' ? repository : repository?.url;
  return typeof url === 'string' ? url : '(no repository.url in package.json)';
}

/** Copies docs/images/*.png next to the report, so report.md and the PDF find them wherever `--out` is. */
async function copyScreenshots(out: string): Promise<string[]> {
  const names = (await readdir(IMAGES_DIR).catch(() => [])).filter((name) => name.endsWith('.png')).sort();
  if (names.length === 0) return [];
  await mkdir(join(out, 'images'), { recursive: true });
  for (const name of names) await copyFile(join(IMAGES_DIR, name), join(out, 'images', name));
  return names.map((name) => `images/${name}`);
}

async function writePdf(out: string, markdown: string): Promise<number> {
  const chromium = findChromium();
  if (chromium === undefined) {
    say(`--pdf: ${CHROMIUM_MISSING}; report.md is written, no PDF`);
    return 1;
  }
  const htmlPath = join(out, 'report.html');
  const pdfPath = join(out, 'report.pdf');
  await writeFile(htmlPath, page(markdownToHtml(markdown)));
  await printPdf(chromium, htmlPath, pdfPath);
  say(`wrote ${shown(pdfPath)}`);
  return 0;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(TITLE)}</title><style>
@page { size: A4; margin: 18mm 16mm; }
body { font: 11pt/1.45 'DejaVu Serif', Georgia, serif; color: #111; }
h1, h2, h3, h4 { font-family: 'DejaVu Sans', sans-serif; }
h2 { border-bottom: 1px solid #999; }
h3 { break-after: avoid; }
.title-page { margin-top: 30%; text-align: center; }
.title-page table { margin: 2em auto; text-align: left; }
.page-break { break-after: page; }
pre { font: 8pt/1.3 'DejaVu Sans Mono', monospace; white-space: pre-wrap; word-break: break-all; background: #f6f6f6; padding: 6px; border: 1px solid #ddd; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; font-size: 9.5pt; }
img { max-width: 100%; border: 1px solid #999; }
</style></head><body>
${body}
</body></html>
`;
}

function say(text: string): void {
  process.stdout.write(`report: ${text}\n`);
}

function shown(path: string): string {
  return relative(process.cwd(), path) || path;
}

await runScript(
  new Command('clusterchat-report')
    .description('Assemble the lab report (report/report.md, and report.pdf with --pdf) from the project.')
    .option('--author <name>', 'the author on the title page', '(author: set with --author)')
    .option('--group <group>', 'the study group on the title page', '(group: set with --group)')
    .option('--teacher <name>', 'the teacher on the title page', '(teacher: set with --teacher)')
    .addOption(
      new Option('--out <dir>', 'where to write the report').default(join(ROOT, 'report'), 'report/ in the project'),
    )
    .option('--pdf', 'also print report.pdf with headless Chromium', false)
    .option(
      '--transcript <file>',
      'use this demo transcript (from `npm run demo -- --transcript <file>`) instead of running the demo',
    )
    .option('--no-demo', 'do not run the demo; the report says where to get the transcript')
    .action(async (options: ReportOptions) => {
      process.exitCode = await buildReport(options);
    }),
  'report',
);
