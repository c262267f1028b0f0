/**
 * The server's log is one stream in one order: the workers' lines are written by the primary,
 * stamped as it writes them, so times never go back and a worker's lines come before the
 * primary's line about its exit.
 */
import { once } from 'node:events';
import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { registered } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) \[\w+\] (primary|worker \d+): (.*)$/;

function logLines(stderr: string): Array<{ time: string; source: string; text: string; line: string }> {
  return stderr
    .split('\n')
    .map((line) => ({ line, match: LINE.exec(line) }))
    .filter(({ match }) => match !== null)
    .map(({ line, match }) => ({ line, time: match?.[1] ?? '', source: match?.[2] ?? '', text: match?.[3] ?? '' }));
}

test('a shutdown with clients on every worker logs in time order, each worker done before its exit is logged', async (t) => {
  const server = await startServer(t, { workers: 3 });
  for (let i = 0; i < 12; i++) await registered(t, server.port, `user${i}`);
  const exited = once(server.process, 'close');
  server.process.kill('SIGTERM');
  await exited;
  const lines = logLines(server.stderr);
  const backwards = lines.filter((entry, i) => i > 0 && entry.time < (lines[i - 1]?.time ?? ''));
  t.deepEqual(
    backwards.map((entry) => entry.line),
    [],
    'no line is older than the one before it',
  );
  for (const workerId of server.workerPids.keys()) {
    const exit = lines.findIndex(
      (entry) => entry.source === 'primary' && entry.text.startsWith(`worker ${workerId} exited`),
    );
    const last = lines.findLastIndex((entry) => entry.source === `worker ${workerId}`);
    t.true(exit > last, `worker ${workerId}'s lines come before its exit`);
  }
  t.true(
    lines.some((entry) => /^draining \d+ connections?: server shutting down$/.test(entry.text)),
    'the workers drained',
  );
});

test("a worker's lines are stamped when the primary writes them: a line logged while the primary was stopped carries a time after it went on", async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client } = await registered(t, server.port, 'alice');
  t.teardown(() => server.process.kill('SIGCONT'));
  server.process.kill('SIGSTOP');
  // The worker sees the close and logs it now; written by itself, its line would carry this time.
  client.close();
  await delay(500);
  const resumedAt = new Date().toISOString();
  server.process.kill('SIGCONT');
  await server.waitFor(/worker \d+: connection \d+ closed \(disconnected\)/);
  const closed = logLines(server.stderr).find((entry) => entry.text.startsWith('connection 1 closed'));
  t.truthy(closed);
  t.true((closed?.time ?? '') >= resumedAt, `${closed?.time ?? ''} is before ${resumedAt}, when the primary went on`);
});
