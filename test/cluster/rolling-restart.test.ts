/**
 * SIGHUP: the workers are replaced one at a time while clients chat; the clients of each draining
 * worker are told, reconnect, fill their gap from history, and no public event is lost to anyone.
 */
import test from 'ava';
import { ChatUser, compareStreams, parseWelcome } from '../helpers/chat-stream.js';
import { waitUntil } from '../../src/processes.js';
import { connect } from '../helpers/line-client.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

const WORKERS = 3;
const USERS = 30;
/** Each client chats until the restart is over, but never more than this. */
const MAX_MESSAGES_EACH = 300;
const RESTART_AFTER = 200;

test('SIGHUP under chat load: clients of draining workers get BYE worker restarting, reconnect to replaced workers only (each moves at most once), and nobody loses an event; every worker is replaced', async (t) => {
  const server = await startServer(t, {
    workers: WORKERS,
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS, '--history', '20000'],
  });
  const oldWorkers = new Set(server.workerPids.keys());
  const users = await Promise.all(Array.from({ length: USERS }, (_, i) => ChatUser.join(t, server.port, `user${i}`)));

  const from = server.output.length;
  let restartDone = false;
  const restart = server.waitFor(/rolling restart done/, from).then(() => {
    restartDone = true;
  });
  let sent = 0;
  const chat = async (user: ChatUser): Promise<void> => {
    for (let i = 0; i < MAX_MESSAGES_EACH && !restartDone; i++) {
      await user.sayAcrossDrops(`${user.nick} says ${i}`);
      if (++sent === RESTART_AFTER) server.process.kill('SIGHUP');
    }
  };
  await Promise.all(users.map(chat));
  await restart;
  for (const user of users) if (user.client.closed) await user.reconnect();

  const last = await defined(users[0], 'a user').say('the end');
  await waitUntil(() => users.every((user) => user.lastSeq >= last), 'every client to receive the last message');
  t.deepEqual(compareStreams(users, last), []);

  const moved = users.filter((user) => user.reconnects > 0);
  t.true(moved.length > 0);
  for (const user of users) {
    t.true(
      user.byes.every((reason) => reason === 'worker restarting'),
      `${user.nick} got ${user.byes.join(', ')}`,
    );
    t.is(user.byes.length, user.reconnects, `${user.nick} was told each time it had to move`);
    t.true(user.reconnects <= 1, `${user.nick} moved ${user.reconnects} times: at most once`);
  }
  t.log(
    `${moved.length} of ${USERS} clients moved (${users.reduce((sum, user) => sum + user.reconnects, 0)} reconnects); stream of ${last} events checked seq by seq`,
  );

  const log = server.output.slice(from);
  for (const id of oldWorkers) t.regex(log, new RegExp(`worker ${id} exited \\(code 0\\)`));
  const newWorkers = [...log.matchAll(/worker (\d+) listening/g)].map((match) => Number(match[1]));
  t.is(newWorkers.length, WORKERS);
  for (const id of newWorkers) t.false(oldWorkers.has(id));
  for (let i = 0; i < WORKERS; i++) {
    const { welcome } = await connect(t, server.port);
    t.true(newWorkers.includes(parseWelcome(welcome).workerId));
  }
});
