/**
 * The Socket.IO reference: a cluster of W workers joined by `@socket.io/cluster-adapter`, the
 * Redis-free way Socket.IO broadcasts across a Node cluster. Websocket transport only, so no
 * sticky sessions are needed: the cluster hands out raw connections and each one stays on its
 * worker. Prints the same `listening on …` line as clusterchat.
 *
 * Unlike clusterchat there is no global sequencer or nick registry: `seq` counts per worker and
 * nicks are not checked for uniqueness. That only makes this reference cheaper, never dearer.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { Command, InvalidArgumentError } from 'commander';
import { Server, type Socket } from 'socket.io';
import { CHAT_ROOM, type ClientToServerEvents, type ServerToClientEvents } from './socketio-events.js';

interface SocketData {
  nick: string | undefined;
}

type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('must be a positive integer');
  return count;
}

function runPrimary(workerCount: number): void {
  setupPrimary();
  const ports: number[] = [];
  cluster.on('listening', (_worker, address) => {
    ports.push(address.port);
    if (ports.length === workerCount) console.log(`listening on 127.0.0.1:${ports[0]} with ${workerCount} workers`);
  });
  cluster.on('exit', (worker, code) => {
    if (!stopping) console.error(`socket.io worker ${worker.id} died (${worker.process.signalCode ?? code})`);
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exit(0);
  });
  for (let i = 0; i < workerCount; i++) cluster.fork();
}

function runWorker(): void {
  const httpServer = http.createServer();
  const io: ChatServer = new Server(httpServer, {
    transports: ['websocket'],
    serveClient: false,
    adapter: createAdapter(),
  });
  let seq = 0;
  io.on('connection', (socket: ChatSocket) => {
    socket.on('register', (nick, ack) => {
      if (socket.data.nick !== undefined) {
        ack({ ok: false, error: 'ALREADY_REGISTERED' });
        return;
      }
      socket.data.nick = nick;
      void socket.join(CHAT_ROOM);
      io.to(CHAT_ROOM).emit('join', { seq: ++seq, time: new Date().toISOString(), nick });
      ack({ ok: true, nick });
    });
    socket.on('msg', (text, ack) => {
      const nick = socket.data.nick;
      if (nick === undefined) return;
      const messageSeq = ++seq;
      io.to(CHAT_ROOM).emit('msg', { seq: messageSeq, time: new Date().toISOString(), nick, text });
      ack(messageSeq);
    });
  });
  // Port 0 in every worker: the cluster primary binds once and all workers share that port.
  httpServer.listen(0, '127.0.0.1', () => {
    const address = httpServer.address() as AddressInfo;
    console.error(`socket.io worker ${cluster.worker?.id} listening on ${address.port} (pid ${process.pid})`);
  });
  process.on('disconnect', () => process.exit(0));
}

if (cluster.isPrimary) {
  const options = new Command('socketio-server')
    .option('--workers <count>', 'cluster workers', parseCount, 2)
    .parse()
    .opts<{ workers: number }>();
  runPrimary(options.workers);
} else {
  runWorker();
}
