/**
 * Supervision under kills from outside: a worker killed with kill -9 is no crash, so it is
 * replaced at once, however often and however young — the server is never left without workers.
 */
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { openClient } from '../helpers/chat-stream.js';
import { processEnded } from '../../bench/proc-stats.js';
import { waitUntil } from '../../src/processes.js';
import { startServer } from '../helpers/server.js';

const WORKERS = 4;
const STORM_MS = 6_000;
const KILL_EVERY_MS = 300;
const PROBE_EVERY_MS = 100;
/** A connection neither greeted nor closed by then counts as silent (the bound is 3 s). */
const GREETING_BOUND_MS = 3_000;

type Outcome = 'greeted' | 'closed' | 'silent';

test('a kill -9 every 300 ms: every victim replaced at once, no crash-loop damping, no new connection left silent', async (t) => {
  const server = await startServer(t, { workers: WORKERS });
  const alive = () => [...server.workerPids.values()].filter((pid) => !processEnded(pid));
  const outcomes: Array<Promise<Outcome>> = [];
  let kills = 0;
  const start = Date.now();
  let nextKill = start;
  while (Date.now() - start < STORM_MS) {
    if (Date.now() >= nextKill) {
      const pids = alive();
      if (pids.length > 0) {
        process.kill(pids[Math.floor(Math.random() * pids.length)] ?? 0, 'SIGKILL');
        kills++;
      }
      nextKill += KILL_EVERY_MS;
    }
    const client = openClient(t, server.port);
    outcomes.push(
      client.next(GREETING_BOUND_MS).then(
        (line) => (line.startsWith('WELCOME ') ? 'greeted' : 'silent'),
        () => (client.closed ? 'closed' : 'silent'),
      ),
    );
    await delay(PROBE_EVERY_MS);
  }
  const results = await Promise.all(outcomes);
  const count = (outcome: Outcome) => results.filter((result) => result === outcome).length;
  t.log(`${kills} kills, ${results.length} connections: ${count('greeted')} greeted, ${count('closed')} closed`);
  t.is(count('silent'), 0, 'every connection greeted or closed within 3 s');
  t.true(count('greeted') > results.length / 2, 'most connections are served during the storm');
  t.notRegex(server.output, /crash loop/, 'kills from outside are not a crash loop');
  await waitUntil(() => alive().length === WORKERS, `${WORKERS} workers alive again`);
  t.true(kills >= 10);
});
