/** Server-wide limits over real sockets: max clients, keepalive, slow consumers. */
import test from 'ava';
import { connect, registered } from '../helpers/line-client.js';
import { startServer, NO_ADDRESS_LIMITS } from '../helpers/server.js';
import { defined } from '../helpers/defined.js';

test('connections beyond --max-clients (server-wide, across workers) get WELCOME then BYE server full', async (t) => {
  const server = await startServer(t, { args: ['--max-clients', '3'] });
  const kept = [];
  for (let i = 0; i < 3; i++) kept.push((await connect(t, server.port)).client);
  for (const client of kept) t.is(await client.command('PING'), 'OK', 'the admitted ones are served');
  const { client: extra, welcome } = await connect(t, server.port);
  t.regex(welcome, /^WELCOME chat\/1 /);
  t.is(await extra.next(), 'BYE server full');
  await extra.closedByPeer();
  defined(kept[0], 'an admitted client').close();
  // The freed place is taken by the next connection once the server has seen the close.
  for (;;) {
    const { client } = await connect(t, server.port);
    const reply = await client.command('PING').catch(() => 'closed');
    if (reply === 'OK') break;
    t.is(client.lines[1], 'BYE server full');
  }
});

test('a silent client gets PING, and BYE ping timeout if it stays silent; others see LEAVE timeout', async (t) => {
  const server = await startServer(t, { args: ['--ping-interval', '0.3', '--ping-timeout', '0.9'] });
  const { client: sleeper } = await registered(t, server.port, 'sleeper');
  const { client: watcher } = await registered(t, server.port, 'watcher');
  const watchdog = setInterval(() => {
    watcher.send('PONG');
  }, 100);
  t.teardown(() => {
    clearInterval(watchdog);
  });
  t.regex(await sleeper.until((l) => l.startsWith('PING ')), /^PING \S+$/);
  t.is(await sleeper.until((l) => l.startsWith('BYE ')), 'BYE ping timeout');
  await sleeper.closedByPeer();
  t.regex(await watcher.until((l) => l.startsWith('LEAVE ')), / sleeper timeout$/);
});

test('answering PING with PONG keeps a connection alive past the timeout', async (t) => {
  const server = await startServer(t, { args: ['--ping-interval', '0.2', '--ping-timeout', '0.6'] });
  const { client } = await registered(t, server.port, 'awake');
  for (let i = 0; i < 4; i++) {
    const ping = await client.until((l) => l.startsWith('PING '));
    client.send(`PONG ${ping.slice(5)}`);
  }
  t.false(client.closed);
  t.is(await client.command('PING'), 'OK');
});

test('a client that does not read is cut with BYE slow consumer; the others go on', async (t) => {
  const server = await startServer(t, {
    args: ['--max-queue', '65536', '--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  const { client: stuck } = await registered(t, server.port, 'stuck');
  const { client: talker } = await registered(t, server.port, 'talker');
  stuck.socket.pause();
  const text = 'x'.repeat(1000);
  const isLeave = (l: string) => l.startsWith('LEAVE ') && l.endsWith(' stuck slow consumer');
  // Send in batches, each ended by a PING whose answer says the batch went through the hub,
  // until the stuck client's kernel buffers and then its queue are full.
  for (let batch = 0; batch < 60 && !talker.lines.some(isLeave); batch++) {
    talker.write(`MSG ${text}\n`.repeat(500));
    talker.send(`PING batch${batch}`);
    await talker.until((l) => l === `OK batch${batch}`, 30_000);
  }
  const leave = await talker.seen(isLeave);
  t.regex(leave, / stuck slow consumer$/);
  stuck.socket.resume();
  await stuck.closedByPeer();
  talker.send('PING final');
  t.is(await talker.until((l) => l === 'OK final'), 'OK final');
});
