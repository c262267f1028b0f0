/**
 * Every connection the server accepts is greeted or closed, even when the worker it was handed
 * to dies during the hand-off: none may sit open and silent.
 */
import test from 'ava';
import { openClient } from '../helpers/chat-stream.js';
import { processEnded } from '../../bench/proc-stats.js';
import { startServer } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

const CONNECTIONS = 400;
const PARALLEL = 8;
/** Kill a worker after every this many connections. */
const KILL_EVERY = 40;
/** A connection with neither a greeting nor a close by then counts as silent. */
const GREETING_BOUND_MS = 5_000;

type Outcome = 'greeted' | 'closed' | 'silent' | 'other';

test('connections made while workers are killed are each greeted or closed within 5 s, none left silent', async (t) => {
  const server = await startServer(t, { workers: 3 });
  const counts: Record<Outcome, number> = { greeted: 0, closed: 0, silent: 0, other: 0 };
  const killed: number[] = [];
  let started = 0;

  const killOne = () => {
    const alive = [...server.workerPids.values()].filter((pid) => !processEnded(pid) && !killed.includes(pid));
    // Keep one worker up: the kills are meant to hit hand-offs, not to empty the server.
    if (alive.length < 2) return;
    const pid = defined(alive[Math.floor(Math.random() * alive.length)], 'a live worker');
    killed.push(pid);
    process.kill(pid, 'SIGKILL');
  };

  const probe = async (): Promise<Outcome> => {
    const client = openClient(t, server.port);
    try {
      const first = await client.next(GREETING_BOUND_MS);
      return first.startsWith('WELCOME ') ? 'greeted' : 'other';
    } catch {
      return client.closed ? 'closed' : 'silent';
    } finally {
      client.close();
    }
  };

  const connectInTurn = async () => {
    while (started < CONNECTIONS) {
      if (++started % KILL_EVERY === 0) killOne();
      counts[await probe()]++;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, connectInTurn));

  const handoffLosses = [...server.stderr.matchAll(/died holding (\d+) connections in hand-off/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  t.log(
    `${CONNECTIONS} connections, ${killed.length} workers killed: ${counts.greeted} greeted, ${counts.closed} closed, ${counts.other} other, ${counts.silent} silent; ${handoffLosses} closed by the primary in hand-off`,
  );
  t.is(counts.silent, 0);
  t.is(counts.other, 0);
  t.is(counts.greeted + counts.closed, CONNECTIONS);
  t.true(killed.length >= 3, 'workers were killed while connections were made');
});

test('connections made while no worker is up (crash-loop backoff) are closed, not held silent until a worker returns', async (t) => {
  const server = await startServer(t, { workers: 1 });
  // Crash the worker each time it comes back, until the primary holds off respawning for longer
  // than a connection may wait: a connection made then is closed before any worker could greet it.
  // A signal the worker does not handle ends it as a crash would (SIGSEGV too, with a core dump);
  // a kill -9 would not do: the primary replaces a killed worker at once.
  let from: number;
  for (;;) {
    const id = defined([...server.workerPids.keys()].at(-1), 'the last worker started');
    const mark = server.output.length;
    process.kill(server.pidOf(id), 'SIGUSR2');
    const backoff = await Promise.race([
      server.waitFor(/respawning in (\d+) ms/, mark).then((match) => Number(match[1])),
      server.waitFor(/worker \d+ listening/, mark).then(() => 0),
    ]);
    if (backoff >= 4_000) {
      from = mark;
      break;
    }
    if (backoff > 0) await server.waitFor(/worker \d+ listening/, mark);
  }
  t.notRegex(server.output.slice(from), /worker \d+ listening/, 'no worker is up');

  const outcomes = await Promise.all(
    Array.from({ length: 5 }, async () => {
      const client = openClient(t, server.port);
      try {
        return (await client.next(GREETING_BOUND_MS)).startsWith('WELCOME ') ? 'greeted' : 'other';
      } catch {
        return client.closed ? 'closed' : 'silent';
      }
    }),
  );
  t.deepEqual(outcomes, ['closed', 'closed', 'closed', 'closed', 'closed']);
});
