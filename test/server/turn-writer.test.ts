/**
 * The turn writer on a real loopback socket pair: what one turn writes leaves together, in
 * order, once the turn ends, and its backlog leaves that turn's bytes out.
 */
import test from 'ava';
import { once } from 'node:events';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { TurnWriter } from '../../src/server/turn-writer.js';

async function socketPair(t: { teardown(fn: () => void): void }): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  t.teardown(() => {
    client.destroy();
    accepted.destroy();
    server.close();
  });
  return [accepted, client];
}

function receive(socket: net.Socket, bytes: number): Promise<string> {
  let received = '';
  socket.setEncoding('utf8');
  return new Promise((resolve) => {
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length >= bytes) resolve(received);
    });
  });
}

test('writes of one turn are held until the turn ends, then leave in order', async (t) => {
  const [serverSide, peer] = await socketPair(t);
  const transport = new TurnWriter().transport(serverSide);
  const received = receive(peer, 'one\ntwo\nthree\n'.length);
  transport.write('one\n');
  transport.write(Buffer.from('two\n'));
  transport.write('three\n');
  t.is(serverSide.writableCorked, 1);
  t.is(serverSide.writableLength, 'one\ntwo\nthree\n'.length);
  await new Promise(setImmediate);
  t.is(serverSide.writableCorked, 0);
  t.is(await received, 'one\ntwo\nthree\n');
});

test("the transport's backlog counts what earlier turns left, not this turn's output; a turn is never split", async (t) => {
  const [serverSide, peer] = await socketPair(t);
  const transport = new TurnWriter().transport(serverSide);
  peer.pause();
  const chunk = 'x'.repeat(64 * 1024);
  // Fill the kernel's buffers so that what follows stays queued in the socket.
  while (serverSide.writableLength < serverSide.writableHighWaterMark) {
    t.true(transport.write(chunk), 'a turn that began with little backlog takes all its writes');
    t.true(transport.write(chunk));
    t.is(transport.backlogBytes, serverSide.writableLength - 2 * chunk.length);
    t.is(transport.bufferedBytes, serverSide.writableLength);
    await new Promise(setImmediate);
  }
  const left = serverSide.writableLength;
  const drained = once(serverSide, 'drain');
  t.false(transport.write(chunk), 'a turn that began with a full backlog says so');
  t.is(transport.backlogBytes, left);
  t.is(transport.bufferedBytes, left + chunk.length);
  await new Promise(setImmediate);
  t.is(transport.backlogBytes, serverSide.writableLength);
  peer.resume();
  await drained;
  t.is(transport.bufferedBytes, 0);
});

/** A connected WebSocket pair on loopback: the server side (for the transport) and a client. */
async function webSocketPair(t: { teardown(fn: () => void): void }): Promise<[WebSocket, WebSocket]> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const [accepted] = (await once(server, 'connection')) as [WebSocket];
  await once(client, 'open');
  t.teardown(() => {
    client.terminate();
    accepted.terminate();
    server.close();
  });
  return [accepted, client];
}

test('a WebSocket transport sends what one turn writes as one text frame, in order', async (t) => {
  const [serverSide, peer] = await webSocketPair(t);
  const frames: Array<[string, boolean]> = [];
  peer.on('message', (data: Buffer, isBinary: boolean) => frames.push([data.toString(), isBinary]));
  const transport = new TurnWriter().webSocket(serverSide, '127.0.0.1');
  transport.write('one\n');
  transport.write(Buffer.from('two\n'));
  transport.write('three\n');
  await new Promise(setImmediate);
  transport.write('four\n');
  transport.end();
  const [code] = (await once(peer, 'close')) as [number];
  t.deepEqual(frames, [
    ['one\ntwo\nthree\n', false],
    ['four\n', false],
  ]);
  t.is(code, 1000, 'end() sends what is held, then closes');
});

test('a WebSocket transport told another close code ends with it', async (t) => {
  const [serverSide, peer] = await webSocketPair(t);
  const transport = new TurnWriter().webSocket(serverSide, '127.0.0.1');
  transport.closeWith(1003, 'text only');
  transport.end();
  const [code, reason] = (await once(peer, 'close')) as [number, Buffer];
  t.is(code, 1003);
  t.is(reason.toString(), 'text only');
});
