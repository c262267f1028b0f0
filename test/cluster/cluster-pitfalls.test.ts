/**
 * The known traps of Node's `cluster`, each caught in the act: a message to a worker that has
 * just been forked, sends to a worker that is dying, and workers left behind as zombies.
 */
import { once } from 'node:events';
import test from 'ava';
import { ChatUser, compareStreams, connectToWorker, parseWelcome } from '../helpers/chat-stream.js';
import { processState } from '../../bench/proc-stats.js';
import { waitUntil } from '../../src/processes.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

const UNTHROTTLED = ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS, '--history', '20000'];

test('a worker forked while messages flow starts at the right seq and misses no later event (hello/init handshake)', async (t) => {
  const server = await startServer(t, { workers: 2, args: UNTHROTTLED });
  const talker = await ChatUser.join(t, server.port, 'talker');
  const doomed = defined(
    [...server.workerPids.keys()].find((id) => id !== talker.welcome.workerId),
    'a worker not serving the talker',
  );

  // The talker publishes without pause, so events are in flight while the replacement starts.
  let lastAcked = 0;
  let talking = true;
  const keepTalking = async () => {
    for (let i = 0; talking; i++) lastAcked = await talker.say(`tick ${i}`);
  };
  const talk = keepTalking();

  const from = server.output.length;
  process.kill(server.pidOf(doomed), 'SIGKILL');
  const fresh = Number((await server.waitFor(/worker (\d+) listening/, from))[1]);
  const ackedBefore = lastAcked;
  const client = await connectToWorker(t, server.port, fresh);
  const welcome = parseWelcome(defined(client.lines[0], 'a greeting'));
  const ackedAtWelcome = lastAcked;
  await waitUntil(() => lastAcked > ackedAtWelcome, 'the talker to be answered once more');
  t.true(
    welcome.lastSeq >= ackedBefore,
    `WELCOME last-seq ${welcome.lastSeq} covers seq ${ackedBefore}, published before the connection`,
  );
  t.true(
    welcome.lastSeq < lastAcked,
    `WELCOME last-seq ${welcome.lastSeq} is older than seq ${lastAcked}, published after it`,
  );

  const newcomer = await ChatUser.register(t, server.port, client, 'newcomer');
  await waitUntil(() => newcomer.lastSeq - newcomer.firstSeq >= 200, 'the newcomer to receive 200 events', 20_000);
  talking = false;
  await talk;
  const last = await talker.say('the end');
  await waitUntil(() => newcomer.lastSeq >= last, 'the newcomer to receive the last message');
  t.deepEqual(compareStreams([talker, newcomer], last), []);
});

test('killing workers while their clients chat and connect never crashes the primary (sends to a dying worker fail quietly)', async (t) => {
  const server = await startServer(t, { workers: 2, args: UNTHROTTLED });
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => ChatUser.join(t, server.port, `user${i}`)));

  let killing = true;
  const chat = async (user: ChatUser): Promise<void> => {
    for (let i = 0; killing; i++) {
      try {
        await user.say(`${user.nick} says ${i}`);
      } catch (error) {
        if (!user.client.closed) throw error;
        await user.reconnect();
      }
    }
  };
  const chatting = Promise.all(users.map(chat));
  // Each kill lands while the primary is sending deliveries and hand-offs to the worker.
  for (let round = 0; round < 3; round++) {
    const from = server.output.length;
    const [victim] = defined(
      [...server.workerPids.entries()].filter(([, pid]) => processState(pid) !== undefined).at(-1),
      'a live worker',
    );
    process.kill(server.pidOf(victim), 'SIGKILL');
    await server.waitFor(/worker \d+ listening/, from);
  }
  killing = false;
  await chatting;
  for (const user of users) if (user.client.closed) await user.reconnect();

  t.is(server.process.exitCode, null, 'the primary is still running');
  t.is(server.process.signalCode, null);
  t.notRegex(server.output, /ERR_IPC_CHANNEL_CLOSED|EPIPE|Uncaught|unhandled/i);
  const last = await defined(users[0], 'a user').say('the end');
  await waitUntil(() => users.every((user) => user.lastSeq >= last), 'every client to receive the last message');
  t.deepEqual(compareStreams(users, last), []);
  const newcomer = await ChatUser.join(t, server.port, 'newcomer');
  t.regex(String(await newcomer.say('hello')), /^\d+$/);
});

test('a primary that exits on SIGTERM has collected every worker: none is left running or as a zombie', async (t) => {
  const server = await startServer(t, { workers: 3 });
  for (const nick of ['ann', 'bob', 'cat']) await ChatUser.join(t, server.port, nick);
  const workerPids = [...server.workerPids.values()];
  const exited = once(server.process, 'exit');
  server.process.kill('SIGTERM');
  await exited;
  // No waiting here: a primary that reaped its workers before exiting leaves no pid behind.
  for (const pid of workerPids) t.is(processState(pid), undefined, `worker pid ${pid} is gone`);
});
