/**
 * A worker's connection table over real loopback sockets, fed deliveries the way the hub sends
 * them: public lines gathered over a turn still reach every client in the hub's order, around
 * the lines each client is told alone.
 */
import test from 'ava';
import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import type { WorkerBus } from '../../src/bus/bus.js';
import type { Delivery } from '../../src/bus/messages.js';
import { createLogger } from '../../src/log.js';
import { ConnectionTable } from '../../src/server/connection-table.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { LineClient } from '../helpers/line-client.js';

async function tableWithClients(t: { teardown(fn: () => void): void }, count: number) {
  const requests = new EventEmitter();
  const bus: WorkerBus = { request: (request) => requests.emit(request.type, request) };
  const table = new ConnectionTable(1, bus, DEFAULT_LIMITS, 1000, createLogger('test', 'error'));
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    table.accept(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const clients: LineClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = new LineClient(net.connect(port, '127.0.0.1'));
    t.teardown(() => {
      client.close();
    });
    await client.next();
    clients.push(client);
  }
  t.teardown(() => server.close());
  return { table, clients, requests };
}

const all = (text: string, seq: number): Delivery => ({ type: 'all', text: `${text}\n`, seq });
const event = (conn: number, text: string): Delivery => ({ type: 'event', conn, text: `${text}\n` });

test('public lines of one turn keep their place around private lines, and reach only the registered', async (t) => {
  const { table, clients } = await tableWithClients(t, 3);
  const [one, two, three] = clients as [LineClient, LineClient, LineClient];
  table.apply([
    { type: 'enrol', conn: 1 },
    { type: 'enrol', conn: 2 },
  ]);
  // One turn, several IPC messages, as a worker that fell behind reads them.
  table.apply([all('A', 1)]);
  table.apply([event(1, 'D1'), all('B', 2)]);
  table.apply([{ type: 'enrol', conn: 3 }, all('C', 3)]);
  table.apply([event(2, 'D2')]);
  table.apply([all('E', 4), event(3, 'D3')]);
  const read = async (client: LineClient, n: number) => {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(await client.next());
    return lines;
  };
  t.deepEqual(await read(one, 5), ['A', 'D1', 'B', 'C', 'E']);
  t.deepEqual(await read(two, 5), ['A', 'B', 'C', 'D2', 'E']);
  t.deepEqual(await read(three, 3), ['C', 'E', 'D3']);
});

test('a drain writes the public lines still gathered before its BYE', async (t) => {
  const { table, clients } = await tableWithClients(t, 1);
  const [one] = clients as [LineClient];
  table.apply([{ type: 'enrol', conn: 1 }]);
  table.apply([all('last words', 1)]);
  table.drain('server shutting down', 'disconnected', () => {});
  t.is(await one.next(), 'last words');
  t.is(await one.next(), 'BYE server shutting down');
  await one.closedByPeer();
});

test('a reply the hub sent in parts reaches the client as one line', async (t) => {
  const { table, clients, requests } = await tableWithClients(t, 1);
  const [one] = clients as [LineClient];
  const asked = once(requests, 'users');
  one.send('USERS');
  await asked;
  table.apply([{ type: 'reply', conn: 1, text: 'OK 3 ali', more: true }]);
  table.apply([
    { type: 'reply', conn: 1, text: 'ce bob c', more: true },
    { type: 'reply', conn: 1, text: 'arol\n' },
  ]);
  t.is(await one.next(), 'OK 3 alice bob carol');
});
