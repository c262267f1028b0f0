/**
 * The defense demo, run as `npm run demo` runs it (the built dist/demo/run.js): it must pass every
 * one of its own checks and say so in its transcript. The demo ends every process it starts; the
 * teardown kills the demo itself if the test gives up on it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { runNodeScript } from '../helpers/node-script.js';

const DEMO_PATH = fileURLToPath(new URL('../../dist/demo/run.js', import.meta.url));

test('the demo passes every step and its transcript shows each of them', async (t) => {
  t.timeout(120_000);
  const dir = await mkdtemp(join(tmpdir(), 'clusterchat-demo-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const transcriptPath = join(dir, 'transcript.txt');
  const { code, stdout, stderr } = await runNodeScript(t, DEMO_PATH, ['--transcript', transcriptPath], {
    teardownSignal: 'SIGTERM',
  });

  t.is(code, 0, `demo output:\n${stdout}\n${stderr}`);
  const lines = stdout.split('\n');
  const has = (pattern: RegExp) =>
    t.true(
      lines.some((line) => pattern.test(line)),
      `no line matches ${pattern}`,
    );
  has(/^\[server\] +listening on 127\.0\.0\.1:\d+ with 4 workers$/);
  for (const nick of ['alice', 'bob', 'carol', 'dave'])
    has(new RegExp(`^\\[${nick}\\] +\\* connected to worker \\d+ as ${nick}$`));
  has(/^\[bob\] +> \/msg alice /);
  has(/^\[alice\] +\[\d\d:\d\d:\d\d\] \*bob\* /);
  has(/^\[carol\] +\* 4 users: alice bob carol dave$/);
  has(/^\[dave\] +\[\d\d:\d\d:\d\d\] !!! /);
  has(/^\[alice\] +\[\d\d:\d\d:\d\d\] <-- carol left \(disconnected\)$/);
  has(/^\[server\] .*worker \d+ died \(signal SIGKILL\)$/);
  has(/^\[alice\] +\[\d\d:\d\d:\d\d\] <-- bob left \(worker lost\)$/);
  has(/^\[bob\] +\* reconnected to worker \d+ as bob$/);
  has(/^\[bob\] +\* replayed \d+ events$/);
  has(/^\[server\] .*primary: stopped; last seq \d+$/);
  has(/^\[dave\] +\* disconnected: server shutting down$/);
  has(/^\[demo\] +✓ demo passed: every step behaved as expected$/);
  t.false(
    lines.some((line) => /^\[demo\] +✗/.test(line)),
    'a check failed',
  );
  t.is(lines.filter((line) => line.startsWith('== Step ')).length, 11);

  const saved = await readFile(transcriptPath, 'utf8');
  t.is(saved, stdout, 'the --transcript file holds the same transcript');
});
