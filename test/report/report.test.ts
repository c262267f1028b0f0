/**
 * `npm run report` (the built dist/report/build.js) into a temp dir: the report holds every file
 * of src/ as a listing, the title page options, the protocol and the transcript it was given.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { readSourceFiles } from '../../src/report/source-files.js';
import { runNodeScript } from '../helpers/node-script.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_PATH = join(ROOT, 'dist/report/build.js');

async function runReport(
  t: ExecutionContext,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; out: string }> {
  const out = await mkdtemp(join(tmpdir(), 'clusterchat-report-test-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const { code, output } = await runNodeScript(t, BUILD_PATH, ['--out', out, ...args], { env });
  return { code, stdout: output, out };
}

test('the report lists every file of src/ in full, with the title page, the protocol and the transcript', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'clusterchat-transcript-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const transcript = join(scratch, 'transcript.txt');
  await writeFile(
    transcript,
    '== Step 1/1: a transcript given with --transcript\n[alice]  * connected to worker 1 as alice\n',
  );

  const { code, stdout, out } = await runReport(t, [
    '--author',
    'Ada Lovelace',
    '--group',
    'CS-42',
    '--teacher',
    'Prof. Babbage',
    '--transcript',
    transcript,
  ]);
  t.is(code, 0, stdout);
  const report = await readFile(join(out, 'report.md'), 'utf8');

  const sources = await readSourceFiles(ROOT, 'src');
  t.true(sources.length > 20);
  for (const file of sources) {
    t.true(report.includes(`\n### ${file.path}\n`), `no listing heading for ${file.path}`);
    t.true(report.includes(file.text.replace(/\n$/, '')), `the listing of ${file.path} is not complete`);
  }
  const headings = [...report.matchAll(/^### (src\/\S+)$/gm)].map((match) => match[1]);
  t.deepEqual(
    headings,
    sources.map((file) => file.path),
    'listings in path order, each once',
  );

  for (const text of [
    '| Author | Ada Lovelace |',
    '| Group | CS-42 |',
    '| Teacher | Prof. Babbage |',
    '## 1. Goal and task',
    '## 2. Protocol',
    '[alice]  * connected to worker 1 as alice',
  ]) {
    t.true(report.includes(text), `missing: ${text}`);
  }
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string } };
  t.true(report.includes(manifest.repository.url));
});

test('without the title options the report shows placeholders; --pdf without Chromium says so', async (t) => {
  const { code, stdout, out } = await runReport(t, ['--no-demo', '--pdf'], {
    CHROMIUM_PATH: join(tmpdir(), 'no-such-chromium'),
  });
  t.is(code, 1);
  t.regex(stdout, /--pdf: Chromium is not installed .*report\.md is written, no PDF/);
  const report = await readFile(join(out, 'report.md'), 'utf8');
  t.true(report.includes('| Author | (author: set with --author) |'));
  t.true(report.includes('The demo was not run for this report'));
});
