/**
 * ChatClient against a scripted server: which nick it registers, a NickChooser's questions, and
 * NICK. Serial: sinon's fake timers are global.
 */
import test, { type ExecutionContext } from 'ava';
import { ClientClosedError, InvalidCommandError, ServerReplyError } from '../../src/client/errors.js';
import type { ChatClientSettings } from '../../src/client/client-options.js';
import { tcpConnector } from '../../src/client/tcp-transport.js';
import type { Connector } from '../../src/client/transport.js';
import { startScriptedServer, type ScriptedServer } from './helpers/scripted-server.js';
import { waitUntil } from '../../src/processes.js';
import { connected, dropAndAccept, fakeClock, newClient, T } from './helpers/scripted-client.js';

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
