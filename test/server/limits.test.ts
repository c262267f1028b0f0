/** Server-wide limits over real sockets: max clients, keepalive, slow consumers. */
import test, { type ExecutionContext } from 'ava';
import { connect, connectOnceFreed, floodUntilSlowConsumer, registered } from '../helpers/line-client.js';
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
  await connectOnceFreed(t, server.port, 'server full');
});

test('a silent client gets PING, and BYE ping timeout if it stays silent; others see LEAVE timeout', async (t) => {
  // The watcher's PONGs come every 100 ms; a timeout of 2 s leaves a loaded machine room to be late.
  const server = await startServer(t, { args: ['--ping-interval', '0.3', '--ping-timeout', '2'] });
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
  // 1.2 s between a PING and the timeout: a loaded machine may be slow to answer, never that slow.
  const server = await startServer(t, { args: ['--ping-interval', '0.3', '--ping-timeout', '1.5'] });
  const { client } = await registered(t, server.port, 'awake');
  for (let i = 0; i < 4; i++) {
    const ping = await client.until((l) => l.startsWith('PING '));
    client.send(`PONG ${ping.slice(5)}`);
  }
  t.false(client.closed);
  t.is(await client.command('PING'), 'OK');
});

test('an empty line answers PING too (any line counts), and gets no reply', async (t) => {
  const server = await startServer(t, { args: ['--ping-interval', '0.3', '--ping-timeout', '1.5'] });
  const { client } = await registered(t, server.port, 'enter');
  for (let i = 0; i < 4; i++) {
    await client.until((l) => l.startsWith('PING '));
    client.write(i % 2 === 0 ? '\n' : '\r\n');
  }
  t.is(await client.command('PING last'), 'OK last', 'the empty lines had no reply');
  t.false(client.closed);
});

/** A server that cuts a client 64 KiB behind, with `nick` registered to fall behind and a talker to flood it. */
async function readerAndTalker(t: ExecutionContext, nick: string) {
  const server = await startServer(t, {
    args: ['--max-queue', '65536', '--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  const { client: reader } = await registered(t, server.port, nick);
  const { client: talker } = await registered(t, server.port, 'talker');
  return { server, reader, talker };
}

test('a client that reads too slowly is cut with BYE slow consumer, which reaches it last; the others go on', async (t) => {
  const { reader: slow, talker } = await readerAndTalker(t, 'slow');
  // A reader on a bad link: one read every 20 ms, slower than the chat goes.
  slow.socket.pause();
  slow.socket.on('data', () => slow.socket.pause());
  const reading = setInterval(() => slow.socket.resume(), 20);
  t.teardown(() => {
    clearInterval(reading);
  });
  t.regex(await floodUntilSlowConsumer(talker, 'slow'), / slow slow consumer$/);
  // It is not destroyed while it still takes its last lines: the BYE comes last.
  await slow.closedByPeer(60_000);
  t.is(slow.lines.at(-1), 'BYE slow consumer');
  talker.send('PING final');
  t.is(await talker.until((l) => l === 'OK final'), 'OK final');
});

test('a reader that stalls is gone for the others at the cut, and reads BYE slow consumer last when it reads again', async (t) => {
  const { server, reader: stalled, talker } = await readerAndTalker(t, 'stalled');
  stalled.socket.pause();
  // The others see it leave while it still reads nothing: at the cut, not when its socket goes.
  t.regex(await floodUntilSlowConsumer(talker, 'stalled'), / stalled slow consumer$/);
  const { client: again } = await registered(t, server.port, 'stalled');
  t.is(await again.command('PING'), 'OK', 'its nick was free at once');
  stalled.socket.resume();
  await stalled.closedByPeer(60_000);
  t.is(stalled.lines.at(-1), 'BYE slow consumer');
});

test('a client that sends more commands than it reads is paused, not cut, and every command is answered', async (t) => {
  const server = await startServer(t, { args: ['--rate-limit', '100000', '--rate-burst', '100000'] });
  const { client } = await connect(t, server.port);
  client.socket.pause();
  // 16 MB of replies: far more than the kernel's buffers and --max-queue (1 MiB) together.
  const token = 'x'.repeat(4000);
  const count = 4000;
  const sent = new Promise<void>((resolve) => {
    client.socket.write(`PING ${token}\n`.repeat(count), () => {
      resolve();
    });
  });
  // The scenario is a client that stalls for a while: it reads nothing for a second.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  client.socket.resume();
  await sent;
  for (let i = 0; i < count; i++) t.is(await client.next(), `OK ${token}`);
  t.is(await client.command('PING done'), 'OK done');
});
