/**
 * chat/1 over WebSocket (`GET /ws`) against a real server: the same sessions as TCP, framing,
 * limits and hostile frames, seen with the `ws` package's client.
 */
import test, { type ExecutionContext } from 'ava';
import { floodUntilSlowConsumer, publicEvents, registered } from '../helpers/line-client.js';
import { NO_ADDRESS_LIMITS, startServer } from '../helpers/server.js';
import { connectWs, registeredWs } from '../helpers/ws-line-client.js';

const isPublic = (line: string) => /^(MSG|JOIN|LEAVE|ANNOUNCE) \d+ /.test(line);

test('a WebSocket user and a TCP user chat both ways and see the same stream, seq for seq', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const { client: web, welcome } = await registeredWs(t, server.httpPort, 'webby');
  t.regex(welcome, /^WELCOME chat\/1 \d+ \d+ \S+$/);
  const { client: tcp } = await registered(t, server.port, 'tcpy');
  t.regex(await web.command('MSG hello from the browser'), /^OK \d+$/);
  t.regex(await tcp.command('MSG hello from nc'), /^OK \d+$/);
  t.is(await web.command('DM tcpy psst'), 'OK');
  t.regex(await tcp.until((l) => l.startsWith('DM ')), / webby psst$/);
  const last = await web.seen((l) => l.endsWith(' tcpy hello from nc'));
  await tcp.seen((l) => l === last);
  const fromJoin = (lines: string[]) => lines.slice(lines.findIndex((l) => / tcpy$/.test(l)));
  t.deepEqual(fromJoin(publicEvents(web)), fromJoin(publicEvents(tcp)));
  t.is(await web.command('USERS'), 'OK 2 tcpy webby');
});

test('a client frame may hold several lines, the last LF optional; server frames hold whole lines', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client } = await connectWs(t, server.httpPort);
  client.sendFrame('REGISTER multi\nPING one\r\nPING two');
  t.is(await client.until((l) => l.startsWith('OK multi')), 'OK multi');
  t.is(await client.next(), 'OK one');
  t.is(await client.next(), 'OK two');
  client.sendFrame('PING three\n\n\nPING four\n');
  t.is(await client.next(), 'OK three');
  t.is(await client.next(), 'OK four');
  t.true(
    client.frames.every((frame) => frame.endsWith('\n')),
    'every server frame ends a line',
  );
  t.true(
    client.frames.some((frame) => frame.split('\n').length > 2),
    'a turn that answers several lines sends them in one frame',
  );
});

test('a line over --max-line gets TOO_LONG and one with a control character BAD_TEXT; the connection stays usable', async (t) => {
  const server = await startServer(t, { workers: 1, args: ['--max-line', '100'] });
  const { client } = await connectWs(t, server.httpPort);
  t.regex(await client.command(`MSG ${'x'.repeat(200)}`), /^ERROR TOO_LONG /);
  client.sendFrame(`PING ${'y'.repeat(150)}\nPING after`);
  t.regex(await client.next(), /^ERROR TOO_LONG /);
  t.is(await client.next(), 'OK after');
  t.regex(await client.command('MSG bell\u0007'), /^ERROR BAD_TEXT /);
  t.regex(await client.command('MSG esc\u001b[31m'), /^ERROR BAD_TEXT /);
  t.is(await client.command('REGISTER survivor'), 'OK survivor');
});

test('a frame over --max-frame is refused with close 1009 before it is buffered', async (t) => {
  const server = await startServer(t, { workers: 1, args: ['--max-line', '100', '--max-frame', '1000'] });
  const { client } = await connectWs(t, server.httpPort);
  const { client: other } = await registeredWs(t, server.httpPort, 'other');
  t.is(await client.command('REGISTER big'), 'OK big');
  client.sendFrame(`MSG ${'z'.repeat(5000)}`);
  await client.closedByPeer();
  t.is(client.closeCode, 1009);
  t.regex(await other.until((l) => l.startsWith('LEAVE ')), / big disconnected$/);
});

test('a binary frame: what came before is answered, then the connection closes with 1003', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client } = await connectWs(t, server.httpPort);
  client.sendFrame('REGISTER binary\nMSG before');
  client.sendBinary(Buffer.from([0x00, 0xff, 0x0a]));
  client.sendFrame('MSG after');
  await client.closedByPeer();
  t.is(client.closeCode, 1003);
  t.true(client.lines.includes('OK binary'));
  t.true(
    client.lines.some((l) => /^OK \d+$/.test(l)),
    'the MSG before the binary frame was answered',
  );
  t.false(
    client.lines.some((l) => l.endsWith(' after')),
    'nothing after the binary frame is read',
  );
});

test('invalid UTF-8 in a text frame closes with 1007', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client } = await connectWs(t, server.httpPort);
  client.sendFrame(Buffer.from([0x4d, 0x53, 0x47, 0x20, 0xc3, 0x28]));
  await client.closedByPeer();
  t.is(client.closeCode, 1007);
});

test('the rate limit and keepalive work as on TCP', async (t) => {
  const server = await startServer(t, {
    workers: 1,
    args: ['--rate-limit', '1', '--rate-burst', '3', '--ping-interval', '0.3', '--ping-timeout', '0.9'],
  });
  const { client } = await connectWs(t, server.httpPort);
  client.sendFrame('PING 1\nPING 2\nPING 3\nPING 4');
  t.is(await client.next(), 'OK 1');
  t.is(await client.next(), 'OK 2');
  t.is(await client.next(), 'OK 3');
  t.regex(await client.next(), /^ERROR RATE_LIMITED /);
  t.regex(await client.until((l) => l.startsWith('PING ')), /^PING \S+$/);
  t.is(await client.until((l) => l.startsWith('BYE ')), 'BYE ping timeout');
  await client.closedByPeer();
  t.is(client.closeCode, 1000);
});

test('a WebSocket that does not read is cut with BYE slow consumer; the others go on', async (t) => {
  const server = await startServer(t, {
    workers: 1,
    args: ['--max-queue', '65536', '--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  const { client: stuck } = await registeredWs(t, server.httpPort, 'stuck');
  const { client: talker } = await registered(t, server.port, 'talker');
  stuck.ws.pause();
  t.regex(await floodUntilSlowConsumer(talker, 'stuck'), / stuck slow consumer$/);
  stuck.ws.resume();
  await stuck.closedByPeer();
  t.is(await talker.command('PING final'), 'OK final');
});

test('output past --soft-queue in one turn does not stall a WebSocket: a long HISTORY, then the next command', async (t) => {
  const server = await startServer(t, {
    workers: 1,
    args: ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS],
  });
  const { client: talker } = await registered(t, server.port, 'talker');
  for (let i = 0; i < 200; i++) talker.send(`MSG ${'h'.repeat(1000)} ${String(i)}`);
  await talker.until((l) => l === 'OK 201');
  const { client: web } = await connectWs(t, server.httpPort);
  // About 210 KB of replay, more than the 64 KiB soft queue: the commands behind it wait for
  // the output to drain, and must be told when it has.
  web.sendFrame('HISTORY 200\nPING after');
  t.is(await web.until((l) => l.startsWith('OK ')), 'OK 200');
  t.is(await web.next(), 'OK after');
});

/** A server whose `limitOption` allows two connections holds a TCP and a WebSocket user; the third comes by WebSocket. */
async function thirdOverLimit(t: ExecutionContext, limitOption: string) {
  const server = await startServer(t, { workers: 2, args: [limitOption, '2'] });
  await registered(t, server.port, 'tcp1');
  await registeredWs(t, server.httpPort, 'web1');
  return (await connectWs(t, server.httpPort)).client;
}

test('WebSocket sessions count against --max-clients like TCP ones', async (t) => {
  const third = await thirdOverLimit(t, '--max-clients');
  t.is(await third.next(), 'BYE server full');
  await third.closedByPeer();
  t.is(third.closeCode, 1000);
  t.false(third.lines.some(isPublic));
});

test('WebSocket sessions count against the per-address limit together with TCP ones', async (t) => {
  const third = await thirdOverLimit(t, '--max-clients-per-ip');
  t.is(await third.next(), 'BYE too many connections from your address');
  await third.closedByPeer();
});
