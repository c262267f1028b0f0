/**
 * Per-address limits over real sockets, server-wide across workers. 127.0.0.2 is a second client
 * address on loopback: what one address does must not touch the other.
 */
import net from 'node:net';
import test from 'ava';
import { connect, connectOnceFreed, LineClient, registered } from '../helpers/line-client.js';
import { startServer, type Owner } from '../helpers/server.js';

const OTHER = '127.0.0.2';

async function registeredFrom(t: Owner, port: number, nick: string, localAddress: string): Promise<LineClient> {
  const { client } = await connect(t, port, '127.0.0.1', localAddress);
  const reply = await client.command(`REGISTER ${nick}`);
  if (reply !== `OK ${nick}`) throw new Error(`REGISTER ${nick}: ${reply}`);
  return client;
}

test('beyond --max-clients-per-ip, across workers: WELCOME then BYE too many connections from your address', async (t) => {
  const server = await startServer(t, { workers: 2, args: ['--max-clients-per-ip', '3'] });
  const kept: LineClient[] = [];
  const workers = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const { client, welcome } = await connect(t, server.port);
    kept.push(client);
    workers.add(welcome.split(' ')[2] ?? '');
  }
  for (const client of kept) t.is(await client.command('PING'), 'OK', 'the first three are served');
  t.is(workers.size, 2, 'they are spread over both workers');
  const { client: extra, welcome } = await connect(t, server.port);
  t.regex(welcome, /^WELCOME chat\/1 /);
  t.is(await extra.next(), 'BYE too many connections from your address');
  await extra.closedByPeer();

  const { client: neighbour } = await connect(t, server.port, '127.0.0.1', OTHER);
  t.is(await neighbour.command('PING'), 'OK', 'another address is served');

  kept[0]?.close();
  await connectOnceFreed(t, server.port, 'too many connections from your address');
});

test('beyond --connect-burst new connections from one address are closed with BYE connecting too fast', async (t) => {
  const server = await startServer(t, { args: ['--connect-rate', '0.01', '--connect-burst', '2'] });
  for (let i = 0; i < 2; i++) t.is(await (await connect(t, server.port)).client.command('PING'), 'OK');
  const { client: third } = await connect(t, server.port);
  t.is(await third.next(), 'BYE connecting too fast from your address');
  await third.closedByPeer();
  const { client: neighbour } = await connect(t, server.port, '127.0.0.1', OTHER);
  t.is(await neighbour.command('PING'), 'OK', 'another address has its own bucket');
});

test('public events from one address share --ip-rate-burst over connections and workers; others are not touched', async (t) => {
  const server = await startServer(t, { workers: 2, args: ['--ip-rate-limit', '0.01', '--ip-rate-burst', '4'] });
  const a = await registeredFrom(t, server.port, 'a', OTHER);
  const b = await registeredFrom(t, server.port, 'b', OTHER);
  t.regex(await a.command('MSG one'), /^OK \d+$/);
  t.regex(await b.command('MSG two'), /^OK \d+$/);
  t.regex(await a.command('MSG three'), /^ERROR RATE_LIMITED .*from your address/);
  t.regex(await b.command('ANNOUNCE x'), /^ERROR FORBIDDEN /, 'the operator check comes first');
  const { client: c } = await connect(t, server.port, '127.0.0.1', OTHER);
  t.regex(await c.command('REGISTER c'), /^ERROR RATE_LIMITED /, 'a JOIN spends the same budget');
  const { client: local } = await registered(t, server.port, 'local');
  t.regex(await local.command('MSG still fine'), /^OK \d+$/, '127.0.0.1 has its own budget');
  t.false(a.closed, 'the connection is kept');
});

test('a connection that does not register within --register-timeout gets BYE registration timeout, though it answers PING', async (t) => {
  const server = await startServer(t, { args: ['--register-timeout', '1', '--ping-interval', '0.2'] });
  const { client: idler } = await connect(t, server.port);
  let answered = 0;
  const ponger = setInterval(() => {
    for (const line of idler.lines.slice(answered)) if (line.startsWith('PING ')) idler.send(`PONG ${line.slice(5)}`);
    answered = idler.lines.length;
  }, 50);
  t.teardown(() => {
    clearInterval(ponger);
  });
  const { client: user } = await registered(t, server.port, 'user');
  await idler.closedByPeer(5_000);
  t.true(
    idler.lines.some((line) => line.startsWith('PING ')),
    'it was pinged, and answered',
  );
  t.is(idler.lines.at(-1), 'BYE registration timeout');
  t.is(await user.command('PING'), 'OK', 'a registered connection stays');
});

test('a connection that never sends a byte is closed by the registration timeout too', async (t) => {
  const server = await startServer(t, { args: ['--register-timeout', '0.5'] });
  const socket = net.connect({ port: server.port, host: '127.0.0.1' });
  const silent = new LineClient(socket);
  t.teardown(() => {
    silent.close();
  });
  await silent.closedByPeer(5_000);
  t.deepEqual(silent.lines.slice(1), ['BYE registration timeout']);
});
