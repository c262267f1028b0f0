/**
 * The acceptance test of crash tolerance under load: a worker is killed while ~50 clients chat;
 * its clients reconnect and refill from history, and in the end everyone holds the same stream.
 */
import test from 'ava';
import { ChatUser, compareStreams, connectToWorker } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

const USERS = 51;
const MESSAGES_EACH = 40;

test('51 clients chat over 3 workers and one is killed mid-stream: survivors and reconnected clients end with the same gap-free stream', async (t) => {
  const server = await startServer(t, {
    workers: 3,
    // The load must not be throttled, and the history must hold the whole test for HISTORY SINCE.
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS, '--history', '10000'],
  });
  const users = await Promise.all(Array.from({ length: USERS }, (_, i) => ChatUser.join(t, server.port, `user${i}`)));
  const doomedWorker = defined(users[0], 'a user').welcome.workerId;
  const victims = users.filter((user) => user.welcome.workerId === doomedWorker);
  const survivors = users.filter((user) => user.welcome.workerId !== doomedWorker);
  t.true(victims.length > 0 && survivors.length > 0);

  const from = server.output.length;
  const killAfter = Math.floor((USERS * MESSAGES_EACH) / 3);
  let sent = 0;
  const chat = async (user: ChatUser): Promise<void> => {
    for (let i = 0; i < MESSAGES_EACH; i++) {
      await user.sayAcrossDrops(`${user.nick} says ${i}`);
      if (++sent === killAfter) process.kill(server.pidOf(doomedWorker), 'SIGKILL');
    }
  };
  await Promise.all(users.map(chat));
  // A victim that had said everything before the kill finds out only now.
  for (const user of users) if (user.client.closed) await user.reconnect();

  const last = await defined(survivors[0], 'a survivor').say('the end');
  await waitUntil(() => users.every((user) => user.lastSeq >= last), 'every client to receive the last message');

  t.deepEqual(compareStreams(users, last), []);
  for (const victim of victims) t.true(victim.reconnects > 0, `${victim.nick} reconnected`);
  for (const survivor of survivors) {
    t.is(survivor.reconnects, 0, `${survivor.nick} kept its connection`);
    t.deepEqual(survivor.byes, []);
  }
  t.log(`${victims.length} of ${USERS} clients reconnected; stream of ${last} events checked seq by seq`);

  const replacement = Number((await server.waitFor(/worker (\d+) listening/, from))[1]);
  const newcomer = await connectToWorker(t, server.port, replacement);
  t.is(await newcomer.command('REGISTER newcomer'), 'OK newcomer');
  t.regex(await newcomer.command('MSG hello'), /^OK \d+$/);
});
