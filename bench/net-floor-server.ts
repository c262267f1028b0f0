/**
 * The floor: a minimal single-process `net` broadcast server speaking the chat/1 subset the
 * benchmark uses (WELCOME, REGISTER → JOIN + OK, MSG → MSG to every registered client + OK <seq>).
 * No validation, limits or history: it shows what one Node process costs for the bare fan-out.
 *
 * With `--batch` it joins everything a client is owed during one tick into a single write
 * (flushed from setImmediate), the technique that separates ≈0.4 M from several M deliveries/s.
 */
import net from 'node:net';
import { Command, InvalidArgumentError } from 'commander';

interface FloorClient {
  socket: net.Socket;
  nick: string | undefined;
  /** Batched mode only: what this client is owed this tick. */
  pending: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('port must be 0–65535');
  return port;
}

const options = new Command('net-floor-server')
  .option('--port <port>', 'TCP port (0: any free one)', parsePort, 0)
  .option('--batch', 'join the writes to each client per tick', false)
  .parse()
  .opts<{ port: number; batch: boolean }>();

const registered = new Set<FloorClient>();
const owed = new Set<FloorClient>();
let seq = 0;
let flushScheduled = false;

function deliver(client: FloorClient, line: string): void {
  if (!options.batch) {
    client.socket.write(line);
    return;
  }
  client.pending += line;
  owed.add(client);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushOwed);
  }
}

function flushOwed(): void {
  flushScheduled = false;
  for (const client of owed) {
    client.socket.write(client.pending);
    client.pending = '';
  }
  owed.clear();
}

function broadcast(line: string): void {
  for (const client of registered) deliver(client, line);
}

function handleLine(client: FloorClient, line: string): void {
  const space = line.indexOf(' ');
  const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : line.slice(space + 1);
  if (verb === 'REGISTER' && client.nick === undefined && rest !== '') {
    client.nick = rest;
    registered.add(client);
    broadcast(`JOIN ${++seq} ${new Date().toISOString()} ${rest}\n`);
    deliver(client, `OK ${rest}\n`);
  } else if (verb === 'MSG' && client.nick !== undefined) {
    const messageSeq = ++seq;
    broadcast(`MSG ${messageSeq} ${new Date().toISOString()} ${client.nick} ${rest}\n`);
    deliver(client, `OK ${messageSeq}\n`);
  } else {
    deliver(client, `ERROR UNKNOWN_COMMAND ${verb}\n`);
  }
}

function onConnection(socket: net.Socket): void {
  socket.setNoDelay(true);
  const client: FloorClient = { socket, nick: undefined, pending: '' };
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', function socketOnData(chunk: string) {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') handleLine(client, line.endsWith('\r') ? line.slice(0, -1) : line);
  });
  socket.on('error', function socketOnError() {
    // A reset by a closing load generator is expected; 'close' does the cleanup.
  });
  socket.on('close', function socketOnClose() {
    registered.delete(client);
    owed.delete(client);
  });
  socket.write(`WELCOME chat/1 0 ${seq} floor\n`);
}

const server = net.createServer(onConnection);
server.listen(options.port, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on 127.0.0.1:${address.port} with 1 workers`);
});
process.on('SIGTERM', () => process.exit(0));
