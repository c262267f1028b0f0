/**
 * The same ChatClient over the WebSocket transport (the browser's; here the `ws` package's
 * class, which has the same interface) against a real server.
 */
import test from 'ava';
import WebSocket from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { webSocketConnector } from '../../src/client/websocket-transport.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { registered } from '../helpers/line-client.js';
import { nextEvent } from '../helpers/next-event.js';
import { startServer } from '../helpers/server.js';

test('ChatClient over WebSocket chats with a TCP user, and after its worker dies reconnects and fills the gap', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const client = new ChatClient({
    connector: webSocketConnector(`ws://127.0.0.1:${server.httpPort}/ws`, WebSocket),
    nick: 'webby',
  });
  t.teardown(() => {
    client.close();
  });
  const events: PublicEvent[] = [];
  client.on('public', (event) => events.push(event));
  const welcome = await client.connect();
  const { client: tcp } = await registered(t, server.port, 'tcpy');

  const seq = await client.message('over a websocket');
  t.regex(await tcp.seen((l) => l.startsWith(`MSG ${seq} `)), / webby over a websocket$/);
  const dm = nextEvent(client, 'dm');
  t.is(await tcp.command('DM webby hi back'), 'OK');
  t.like((await dm)[0], { from: 'tcpy', text: 'hi back' });

  const replayed = nextEvent(client, 'replayed');
  process.kill(server.pidOf(welcome.workerId), 'SIGKILL');
  t.regex(await tcp.seen((l) => l.endsWith(' webby worker lost')), /^LEAVE \d+ /);
  t.regex(await tcp.command('MSG said while you were away'), /^OK \d+$/);
  const [info] = await replayed;
  t.true(info.count >= 2, 'the LEAVE and the message said meanwhile were replayed');
  const seqs = events.map((event) => event.seq);
  t.deepEqual(
    seqs,
    [...new Set(seqs)].sort((a, b) => a - b),
    'no event twice, none out of order',
  );
  t.true(events.some((event) => event.text === 'said while you were away'));
});
