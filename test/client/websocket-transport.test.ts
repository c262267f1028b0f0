/** The client's WebSocket transport against a scripted `ws` server: framing, limits, and how it ends. */
import test from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { WebSocketTransport } from '../../src/client/websocket-transport.js';

interface Outcome {
  lines: string[];
  closed: Promise<Error | undefined>;
  transport: WebSocketTransport;
  server: WebSocket;
}

async function open(t: { teardown(fn: () => void): void }, maxLineBytes = 100): Promise<Outcome> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const lines: string[] = [];
  let done!: (error: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((resolve) => (done = resolve));
  const transport = new WebSocketTransport(
    new WebSocket(`ws://127.0.0.1:${port}`),
    { maxLineBytes },
    { line: (text) => lines.push(text), closed: done },
  );
  const [server] = (await once(wss, 'connection')) as [WebSocket];
  t.teardown(() => {
    transport.destroy();
    server.terminate();
    wss.close();
  });
  return { lines, closed, transport, server };
}

test('a frame of several lines is cut at LF; CR LF, empty lines and a missing last LF are handled', async (t) => {
  const { lines, server, transport } = await open(t);
  const received = once(server, 'message');
  server.send('A\nB\r\n\nC');
  server.send('D\n');
  while (lines.length < 4) await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(lines, ['A', 'B', 'C', 'D']);
  transport.send('PING 1');
  t.is(String((await received)[0]), 'PING 1');
});

test('a server line over the limit breaks the transport, and the rest of its frame is dropped', async (t) => {
  const { lines, closed, server } = await open(t, 10);
  server.send(`ok\n${'x'.repeat(11)}\nnever`);
  const error = await closed;
  t.deepEqual(lines, ['ok']);
  t.regex(error?.message ?? '', /longer than 10 bytes/);
});

test('a binary frame from the server breaks the transport', async (t) => {
  const { closed, server } = await open(t);
  server.send(Buffer.from([1, 2, 3]), { binary: true });
  t.regex((await closed)?.message ?? '', /binary frame/);
});

test('a close with 1000 is clean; another code is an error that says it', async (t) => {
  const clean = await open(t);
  clean.server.close(1000);
  t.is(await clean.closed, undefined);
  const broken = await open(t);
  broken.server.close(1011, 'oops');
  t.regex((await broken.closed)?.message ?? '', /connection lost \(WebSocket close 1011: oops\)/);
});

test('destroy reports the close at once, without waiting for the closing handshake', async (t) => {
  const { closed, transport } = await open(t);
  transport.destroy(new Error('no WELCOME'));
  t.is((await closed)?.message, 'no WELCOME');
  t.true(transport.closed);
});

test('a server that cannot be reached is reported as such', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  await new Promise((resolve) => {
    wss.close(resolve);
  });
  const error = await new Promise<Error | undefined>((resolve) => {
    new WebSocketTransport(
      new WebSocket(`ws://127.0.0.1:${port}`),
      { maxLineBytes: 100 },
      { line: () => {}, closed: resolve },
    );
  });
  t.regex(error?.message ?? '', /cannot connect \(WebSocket close 1006\)/);
});
