/**
 * `npm run demo -- --multihost`, run as built: 3 NATS nodes, 2 hosts, 4 clients, a host killed
 * with kill -9. It must pass every one of its own checks; the teardown kills the demo if the test
 * gives up on it (the demo ends every process it started).
 */
import { fileURLToPath } from 'node:url';
import { natsTest } from '../helpers/nats.js';
import { runNodeScript } from '../helpers/node-script.js';

const DEMO_PATH = fileURLToPath(new URL('../../dist/demo/run.js', import.meta.url));

natsTest('the multi-host demo passes every step: a host killed, its users back on the other host', async (t) => {
  const { code, output } = await runNodeScript(t, DEMO_PATH, ['--multihost'], { teardownSignal: 'SIGTERM' });
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
