/**
 * `npm run demo -- --multihost`, run as built: 3 NATS nodes, 2 hosts, 4 clients, a host killed
 * with kill -9. It must pass every one of its own checks; the teardown kills the demo if the test
 * gives up on it (the demo ends every process it started).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { natsTest } from '../helpers/nats.js';

const DEMO_PATH = fileURLToPath(new URL('../../dist/demo/run.js', import.meta.url));

natsTest('the multi-host demo passes every step: a host killed, its users back on the other host', async (t) => {
  const demo = spawn(process.execPath, [DEMO_PATH, '--multihost'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGTERM');
  });
  let output = '';
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(demo, 'exit')) as [number | null];
  t.is(code, 0, output);
  const lines = output.split('\n');
  for (const pattern of [
    /^\[demo\] +✓ the cluster formed: n1 .*, n2 .*, n3 /,
    /^\[bob\] +\* 4 users: alice bob carol dave$/,
    /^\[carol\] +\[\d\d:\d\d:\d\d\] \*bob\* /,
    /^\[alice\] +\[\d\d:\d\d:\d\d\] <-- carol left \(host lost\)$/,
    /^\[dave\] +\* reconnected to worker \d+ as dave$/,
    /^\[carol\] +\[\d\d:\d\d:\d\d\] <alice> host-b just died; can you still read me\?$/,
    /^\[demo\] +✓ demo passed: every step behaved as expected$/,
  ]) {
    t.true(
      lines.some((line) => pattern.test(line)),
      `no line matches ${pattern}`,
    );
  }
});
