/**
 * ChatClient against a scripted server, with sinon's fake timers driving the greeting timeout,
 * the backoff and the nick retry. Serial: fake timers are global.
 */
import test, { type ExecutionContext } from 'ava';
import sinon from 'sinon';
import { ChatClient } from '../../src/client/chat-client.js';
import {
  ClientClosedError,
  ConnectFailedError,
  ConnectionLostError,
  InvalidCommandError,
  QueueFullError,
  ServerReplyError,
} from '../../src/client/errors.js';
import type { ChatClientSettings } from '../../src/client/client-options.js';
import { tcpConnector } from '../../src/client/tcp-transport.js';
import type { Connector } from '../../src/client/transport.js';
import { startScriptedServer, type ScriptedPeer, type ScriptedServer } from './helpers/scripted-server.js';
import { waitUntil } from '../../src/processes.js';
import { nextEvent } from '../helpers/next-event.js';

const T = '2026-11-24T11:09:21.123Z';

function fakeClock(t: ExecutionContext): sinon.SinonFakeTimers {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => {
    clock.restore();
  });
  return clock;
}

function newClient(t: ExecutionContext, server: ScriptedServer, options: Partial<ChatClientSettings> = {}) {
  // random 0: every delay is exactly half the nominal one (125 ms, 125 ms, 250 ms, …).
  const client = new ChatClient({
    connector: tcpConnector({ host: '127.0.0.1', port: server.port }),
    nick: 'alice',
    backoff: { random: () => 0 },
    ...options,
  });
  t.teardown(() => {
    client.close();
  });
  const seqs: number[] = [];
  client.on('public', (event) => seqs.push(event.seq));
  return { client, seqs };
}

/** Greets and registers the client on `peer`; alice's JOIN gets `joinSeq`. */
async function greet(peer: ScriptedPeer, workerId: number, joinSeq: number, epoch = 'ep1'): Promise<void> {
  peer.send(`WELCOME chat/1 ${workerId} ${joinSeq - 1} ${epoch}`);
  assertLine(await peer.next(), 'REGISTER alice');
  peer.send(`JOIN ${joinSeq} ${T} alice`, 'OK alice');
}

/** Closes the client's connection from the server's side; its next one, after the first backoff (125 ms at random 0). */
async function dropAndAccept(
  client: ChatClient,
  server: ScriptedServer,
  peer: ScriptedPeer,
  clock: sinon.SinonFakeTimers,
): Promise<ScriptedPeer> {
  const reconnecting = nextEvent(client, 'reconnecting');
  peer.close();
  await reconnecting;
  clock.tick(125);
  return server.accept();
}

function assertLine(actual: string, expected: string): void {
  if (actual !== expected)
    throw new Error(`expected ${JSON.stringify(expected)}, the client sent ${JSON.stringify(actual)}`);
}

async function connected(t: ExecutionContext, options: Partial<ChatClientSettings> = {}) {
  const server = await startScriptedServer(t);
  const { client, seqs } = newClient(t, server, options);
  const connecting = client.connect();
  const peer = await server.accept();
  await greet(peer, 1, 11);
  const welcome = await connecting;
  return { server, client, seqs, peer, welcome };
}

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

test.serial(
  'reconnect: retries a taken nick, replays the gap merged with live events by seq, then sends what was queued',
  async (t) => {
    const clock = fakeClock(t);
    const { server, client, seqs, peer } = await connected(t);
    peer.send(`MSG 12 ${T} bob before`);
    await waitUntil(() => seqs.length === 2, 'seq 12');

    const inFlight = client.ping('lost');
    t.is(await peer.next(), 'PING lost');
    const disconnected = nextEvent(client, 'disconnected');
    const reconnecting = nextEvent(client, 'reconnecting');
    peer.close();
    t.like((await disconnected)[0], { willReconnect: true });
    await t.throwsAsync(inFlight, { instanceOf: ConnectionLostError });
    t.like((await reconnecting)[0], { attempt: 1, delayMs: 125 });
    const queued = client.message('typed while away');
    t.is(client.queuedCount, 1);

    clock.tick(125);
    const again = await server.accept();
    again.send(`WELCOME chat/1 2 15 ep1`);
    t.is(await again.next(), 'REGISTER alice');
    again.send('ERROR NICK_TAKEN nick alice is taken');
    await waitUntil(() => clock.countTimers() > 0, 'the nick retry timer');
    clock.tick(125);
    t.is(await again.next(), 'REGISTER alice');
    const replayed = nextEvent(client, 'replayed');
    again.send(`JOIN 16 ${T} alice`, 'OK alice');
    t.is(await again.next(), 'HISTORY SINCE 12');
    t.deepEqual(seqs, [11, 12], 'nothing is shown until the replay is complete');
    again.send(
      `MSG 17 ${T} carol overtook the replay`,
      'PING mid',
      `LEAVE 13 ${T} alice worker lost`,
      `MSG 14 ${T} bob missed`,
      `MSG 15 ${T} bob missed too`,
      `JOIN 16 ${T} alice`,
      'OK 4',
    );
    t.is(await again.next(), 'PONG mid');
    const [info] = await replayed;
    t.deepEqual(info, { count: 5, missing: 0, newEpoch: false, epoch: 'ep1' });
    t.deepEqual(seqs, [11, 12, 13, 14, 15, 16, 17]);

    t.is(await again.next(), 'MSG typed while away');
    again.send(`MSG 18 ${T} alice typed while away`, 'OK 18');
    t.is(await queued, 18);
    t.deepEqual(seqs, [11, 12, 13, 14, 15, 16, 17, 18]);
    t.is(client.state, 'ready');
  },
);

async function reconnectTo(t: ExecutionContext, epoch: string, expectedHistory: string, replay: string[]) {
  const clock = fakeClock(t);
  const { server, client, seqs, peer } = await connected(t);
  const again = await dropAndAccept(client, server, peer, clock);
  const gaps: Array<{ after: number; missing: number }> = [];
  client.on('gap', (gap) => gaps.push(gap));
  const replayed = nextEvent(client, 'replayed');
  await greet(again, 2, 40, epoch);
  t.is(await again.next(), expectedHistory);
  again.send(...replay);
  const [info] = await replayed;
  return { info, seqs, gaps };
}

test.serial(
  'a reconnect that finds a new epoch asks for the last events instead, and says old seqs are void',
  async (t) => {
    const { info, seqs, gaps } = await reconnectTo(t, 'ep2', 'HISTORY 50', [
      `MSG 38 ${T} bob a`,
      `MSG 39 ${T} bob b`,
      `JOIN 40 ${T} alice`,
      'OK 3',
    ]);
    t.deepEqual(info, { count: 3, missing: 0, newEpoch: true, epoch: 'ep2' });
    t.deepEqual(seqs, [11, 38, 39, 40]);
    t.deepEqual(gaps, []);
  },
);

test.serial('a replay that starts after the seq asked for reports the events no longer retained', async (t) => {
  const { info, seqs, gaps } = await reconnectTo(t, 'ep1', 'HISTORY SINCE 11', [
    `MSG 39 ${T} bob a`,
    `JOIN 40 ${T} alice`,
    'OK 2',
  ]);
  t.deepEqual(info, { count: 2, missing: 27, newEpoch: false, epoch: 'ep1' });
  t.deepEqual(gaps, [{ after: 11, missing: 27 }]);
  t.deepEqual(seqs, [11, 39, 40]);
});

test.serial('a kick is final: no reconnect, pending commands fail', async (t) => {
  const { client, peer } = await connected(t);
  const closed = nextEvent(client, 'closed');
  let reconnects = 0;
  client.on('reconnecting', () => reconnects++);
  const pending = client.users();
  t.is(await peer.next(), 'USERS');
  peer.send('BYE kicked: too loud');
  peer.close();
  t.like((await closed)[0], { reason: 'kicked: too loud' });
  await t.throwsAsync(pending, { instanceOf: ConnectionLostError });
  await t.throwsAsync(client.message('still here?'), { instanceOf: ClientClosedError });
  t.is(reconnects, 0);
  t.is(client.state, 'closed');
});

test.serial('quit sends QUIT after the commands before it and ends without reconnecting', async (t) => {
  const { client, peer } = await connected(t);
  const closed = nextEvent(client, 'closed');
  const sent = client.message('bye all');
  const quit = client.quit('done');
  t.is(await peer.next(), 'MSG bye all');
  t.is(await peer.next(), 'QUIT done');
  peer.send(`MSG 12 ${T} alice bye all`, 'OK 12', 'OK');
  peer.socket.end();
  t.is(await sent, 12);
  await quit;
  t.like((await closed)[0], { reason: 'quit' });
  await t.throwsAsync(client.message('late'), { instanceOf: ClientClosedError });
});

test.serial('while disconnected at most maxQueued commands wait; the next is rejected at once', async (t) => {
  fakeClock(t);
  const { client, peer } = await connected(t, { maxQueued: 2 });
  const reconnecting = nextEvent(client, 'reconnecting');
  peer.close();
  await reconnecting;
  const waiting = [client.message('one'), client.message('two')];
  await t.throwsAsync(client.message('three'), { instanceOf: QueueFullError, message: /2 commands already queued/ });
  client.close();
  for (const command of waiting) await t.throwsAsync(command, { instanceOf: ClientClosedError });
});

test.serial("the first registration refused (nick taken) rejects connect() with the server's error", async (t) => {
  const server = await startScriptedServer(t);
  const { client } = newClient(t, server);
  const connecting = client.connect();
  const peer = await server.accept();
  peer.send('WELCOME chat/1 1 0 ep1');
  t.is(await peer.next(), 'REGISTER alice');
  peer.send('ERROR NICK_TAKEN nick alice is taken');
  await t.throwsAsync(connecting, { instanceOf: ServerReplyError, message: 'nick alice is taken' });
  t.is(client.state, 'closed');
});

/** A NickChooser whose answers the test gives, one question at a time. */
function scriptedChooser() {
  const questions: Array<{
    refusal: ServerReplyError | undefined;
    signal: AbortSignal;
    answer: (nick?: string) => void;
  }> = [];
  let wake: (() => void) | undefined;
  const choose = (refusal: ServerReplyError | undefined, signal: AbortSignal) =>
    new Promise<string | undefined>((resolve) => {
      questions.push({ refusal, signal, answer: resolve });
      wake?.();
    });
  const asked = async (count: number) => {
    for (;;) {
      const question = questions.at(count - 1);
      if (question !== undefined) return question;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { choose, questions, asked };
}

/**
 * A client with a scripted chooser (and no nick unless `options` give one), connecting; `peer` is
 * its connection, not greeted yet.
 */
async function connectWithChooser(
  t: ExecutionContext,
  server: ScriptedServer,
  options: Partial<ChatClientSettings> = {},
) {
  const { client } = newClient(t, server, { nick: undefined, ...options });
  const { choose, questions, asked } = scriptedChooser();
  const connecting = client.connect({ chooseNick: choose });
  const peer = await server.accept();
  return { client, connecting, peer, questions, asked };
}

test.serial(
  'with a chooser and no nick, the nick is asked for after WELCOME, and again after each refusal',
  async (t) => {
    const server = await startScriptedServer(t);
    const { client, connecting, peer, questions, asked } = await connectWithChooser(t, server);
    t.is(questions.length, 0, 'nothing is asked before the server is there');
    peer.send('WELCOME chat/1 1 0 ep1');
    (await asked(1)).answer('alice');
    t.is((await asked(1)).refusal, undefined);
    t.is(await peer.next(), 'REGISTER alice');
    peer.send('ERROR NICK_TAKEN nick alice is taken');
    const second = await asked(2);
    t.like(second.refusal, { code: 'NICK_TAKEN', message: 'nick alice is taken' });
    second.answer('alice2');
    t.is(await peer.next(), 'REGISTER alice2');
    peer.send(`JOIN 1 ${T} alice2`, 'OK alice2');
    t.like(await connecting, { workerId: 1 });
    t.is(client.nick, 'alice2');
  },
);

test.serial('a given nick that is refused is asked for again; a chooser that gives up ends the client', async (t) => {
  const server = await startScriptedServer(t);
  const { client, connecting, peer, asked } = await connectWithChooser(t, server, { nick: 'alice' });
  peer.send('WELCOME chat/1 1 0 ep1');
  t.is(await peer.next(), 'REGISTER alice', 'the given nick is tried first, without asking');
  peer.send('ERROR NICK_TAKEN nick alice is taken');
  (await asked(1)).answer(undefined);
  await t.throwsAsync(connecting, { message: 'no nick chosen' });
  t.is(client.state, 'closed');
});

test.serial(
  'a connection lost while the user is asked is no failed attempt: the next one starts with the answer',
  async (t) => {
    const server = await startScriptedServer(t);
    // The TCP transport, watched: the test sees when the client has taken the drop in.
    const tcp = tcpConnector({ host: '127.0.0.1', port: server.port });
    let closedTransports = 0;
    const connector: Connector = {
      address: tcp.address,
      connect: (sink, limits) =>
        tcp.connect(
          {
            line: (text) => {
              sink.line(text);
            },
            closed: (error) => {
              sink.closed(error);
              closedTransports++;
            },
          },
          limits,
        ),
    };
    const { client, connecting, peer: first, questions, asked } = await connectWithChooser(t, server, { connector });
    const reconnects: unknown[] = [];
    client.on('reconnecting', (event) => reconnects.push(event));
    first.send('WELCOME chat/1 1 0 ep1', 'BYE registration timeout');
    const question = await asked(1);
    first.close();
    await waitUntil(() => closedTransports === 1, 'the client to see its connection dropped');
    t.deepEqual(reconnects, [], 'nothing said of reconnecting: the user sees only the question');
    question.answer('alice');
    const second = await server.accept();
    second.send('WELCOME chat/1 2 0 ep1');
    t.is(await second.next(), 'REGISTER alice');
    second.send(`JOIN 1 ${T} alice`, 'OK alice');
    t.like(await connecting, { workerId: 2 });
    t.is(questions.length, 1, 'asked once');
    t.is(server.peers.length, 2, 'one connection dropped while the user typed, one made with the answer');
  },
);

test.serial('a user who gives up after the connection dropped ends the client', async (t) => {
  const server = await startScriptedServer(t);
  const { client, connecting, peer: first, asked } = await connectWithChooser(t, server);
  first.send('WELCOME chat/1 1 0 ep1');
  const question = await asked(1);
  first.close();
  question.answer(undefined);
  await t.throwsAsync(connecting, { message: 'no nick chosen' });
  t.is(client.state, 'closed');
});

test.serial('closing the client while the user is asked aborts the question', async (t) => {
  const server = await startScriptedServer(t);
  const { client, connecting, peer, asked } = await connectWithChooser(t, server);
  peer.send('WELCOME chat/1 1 0 ep1');
  const question = await asked(1);
  client.close('interrupted');
  t.true(question.signal.aborted);
  await t.throwsAsync(connecting, { instanceOf: ClientClosedError });
});

test.serial('changeNick sends NICK; once the server said OK, a reconnect registers the new nick', async (t) => {
  const clock = fakeClock(t);
  const { server, client, peer } = await connected(t);
  const changing = client.changeNick('bob');
  t.is(await peer.next(), 'NICK bob');
  peer.send(`LEAVE 12 ${T} alice nick changed to bob`, `JOIN 13 ${T} bob`, 'OK bob');
  t.is(await changing, 'bob');
  t.is(client.nick, 'bob');
  await t.throwsAsync(client.changeNick('b@d'), { instanceOf: InvalidCommandError });

  const again = await dropAndAccept(client, server, peer, clock);
  again.send('WELCOME chat/1 2 13 ep1');
  t.is(await again.next(), 'REGISTER bob');
});
