/**
 * ChatClient against a scripted server: connecting, and commands on one connection. Serial:
 * sinon's fake timers (the greeting timeout, the backoff) are global.
 */
import test from 'ava';
import { ConnectFailedError, InvalidCommandError, ServerReplyError } from '../../src/client/errors.js';
import { startScriptedServer } from './helpers/scripted-server.js';
import { nextEvent } from '../helpers/next-event.js';
import { connected, fakeClock, greet, newClient, T } from './helpers/scripted-client.js';

test.serial(
  'an accepted connection that is never greeted is a failed attempt, and the next one is made after the backoff',
  async (t) => {
    const clock = fakeClock(t);
    const server = await startScriptedServer(t);
    const { client } = newClient(t, server, { greetingTimeoutMs: 4_000 });
    const attempts: number[] = [];
    client.on('connecting', ({ attempt }) => attempts.push(attempt));
    const connecting = client.connect();
    const silent = await server.accept();

    const retrying = nextEvent(client, 'reconnecting');
    clock.tick(3_999);
    t.false(silent.closed);
    clock.tick(1);
    const [retry] = await retrying;
    await silent.closedByPeer();
    t.like(retry, { attempt: 2, delayMs: 125, reason: 'no WELCOME within 4s' });

    clock.tick(125);
    const second = await server.accept();
    await greet(second, 2, 1);
    t.like(await connecting, { workerId: 2, epoch: 'ep1' });
    t.deepEqual(attempts, [1, 2]);
  },
);

test.serial('gives up with ConnectFailedError after `retries` attempts', async (t) => {
  const clock = fakeClock(t);
  const server = await startScriptedServer(t);
  const { client } = newClient(t, server, { retries: 2, greetingTimeoutMs: 1_000 });
  const connecting = client.connect();
  await server.accept();
  const retrying = nextEvent(client, 'reconnecting');
  clock.tick(1_000);
  await retrying;
  clock.tick(125);
  await server.accept();
  clock.tick(1_000);
  const error = await t.throwsAsync(connecting, { instanceOf: ConnectFailedError });
  t.is(error.code, 'CONNECT_FAILED');
  t.is(error.message, `cannot connect to 127.0.0.1:${server.port}: no WELCOME within 1s (after 2 attempts)`);
  t.is(client.state, 'closed');
});

test.serial('pipelined commands settle in order, each with its own reply', async (t) => {
  const { client, peer, seqs } = await connected(t);
  const sent = client.message('hello');
  const dm = client.dm('bob', 'psst');
  const users = client.users();
  const history = client.history(2);
  t.is(await peer.next(), 'MSG hello');
  t.is(await peer.next(), 'DM bob psst');
  t.is(await peer.next(), 'USERS');
  t.is(await peer.next(), 'HISTORY 2');
  peer.send(`MSG 12 ${T} alice hello`, 'OK 12', 'ERROR NO_SUCH_NICK no such nick bob', 'OK 2 alice carol');
  peer.send(`JOIN 11 ${T} alice`, `MSG 12 ${T} alice hello`, 'OK 2');
  t.is(await sent, 12);
  const error = await t.throwsAsync(dm, { instanceOf: ServerReplyError });
  t.like(error, { code: 'NO_SUCH_NICK', message: 'no such nick bob' });
  t.deepEqual(await users, ['alice', 'carol']);
  const replayed = await history;
  t.is(replayed.count, 2);
  // 12 arrived live while the HISTORY was pending: it is shown once, live; the result holds the older one.
  t.deepEqual(
    replayed.events.map((event) => event.seq),
    [11],
  );
  t.deepEqual(seqs, [11, 12]);
});

test.serial("answers the server's PING with PONG and the same token", async (t) => {
  const { peer } = await connected(t);
  peer.send('PING k7');
  t.is(await peer.next(), 'PONG k7');
});

test.serial('refuses to send text that would break the line framing, without sending anything', async (t) => {
  const { client, peer } = await connected(t);
  await t.throwsAsync(client.message('two\nlines'), {
    instanceOf: InvalidCommandError,
    message: /control or invisible characters/,
  });
  await t.throwsAsync(client.message('x'.repeat(5_000)), {
    instanceOf: InvalidCommandError,
    message: /longer than 4096 bytes/,
  });
  await t.throwsAsync(client.dm('not a nick', 'hi'), { instanceOf: InvalidCommandError });
  const ping = client.ping('after');
  t.is(await peer.next(), 'PING after', 'nothing was sent before it');
  peer.send('OK after');
  t.is(await ping, 'after');
});
