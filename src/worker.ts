/**
 * Entry point of a worker process, forked by the primary. It serves the TCP connections the
 * primary hands it and talks to the hub over cluster IPC. It holds no cluster-wide state.
 */
import cluster from 'node:cluster';
import net from 'node:net';
import { ClusterWorkerBus } from './bus/cluster-worker-bus.js';
import { isPrimaryMessage, type WorkerMessage } from './bus/messages.js';
import { createLogger, type LogLevel } from './log.js';
import { ConnectionTable } from './server/connection-table.js';
import type { SessionLimits } from './server/limits.js';
import { createServerContext, secureServerSocket, type TlsCredentials } from './server/tls-socket.js';

/** What the primary passes to every worker it forks, as JSON in `CHAT_WORKER_CONFIG`. */
export interface WorkerConfig {
  limits: SessionLimits;
  logLevel: LogLevel;
  /** Milliseconds between two heartbeats to the primary. */
  heartbeatInterval: number;
  /** With TLS: the certificate and key the primary read and checked at start. */
  tls: TlsCredentials | undefined;
}

/** How long a worker waits for its clients to take their BYE before it exits anyway. */
const PRIMARY_LOST_EXIT_MS = 500;

function send(message: WorkerMessage, callback: (error: Error | null) => void = () => {}): boolean {
  if (process.send === undefined || !process.connected) return false;
  return process.send(message, undefined, {}, callback);
}

function main(): void {
  const worker = cluster.worker;
  if (worker === undefined || process.env.CHAT_WORKER_CONFIG === undefined) {
    console.error('dist/worker.js is started by dist/primary.js; run that instead.');
    process.exitCode = 2;
    return;
  }
  const config = JSON.parse(process.env.CHAT_WORKER_CONFIG) as WorkerConfig;
  const workerId = worker.id;
  const log = createLogger(`worker ${workerId}`, config.logLevel);
  const bus = new ClusterWorkerBus(send, log);
  const connections = new ConnectionTable(workerId, bus, config.limits, log);
  const tlsContext = config.tls === undefined ? undefined : createServerContext(config.tls);

  // The close requests of the last connections are still in the bus's batch, which goes out in
  // a setImmediate queued before this one. 'drained' must follow them: the primary ends us on
  // 'drained', and its hub would report users whose close it never got as "worker lost".
  let drained = false;
  const reportDrained = () =>
    setImmediate(() => {
      drained = true;
      send({ type: 'drained' });
    });

  process.on('message', (message: unknown, handle: unknown) => {
    if (!isPrimaryMessage(message)) {
      log.warn(`ignored a message of unknown form from the primary`);
      return;
    }
    switch (message.type) {
      case 'init':
        connections.init(message.epoch, message.lastSeq);
        send({ type: 'ready', pid: process.pid });
        return;
      case 'connection':
        if (handle instanceof net.Socket) {
          connections.accept(tlsContext === undefined ? handle : secureServerSocket(handle, tlsContext));
        }
        return;
      case 'deliveries':
        connections.apply(message.batch);
        return;
      case 'drain':
        log.info(`draining ${connections.size} connections: ${message.reason}`);
        connections.drain(message.reason, message.reason, reportDrained);
        return;
    }
  });

  // The primary is gone (killed, crashed): nobody can route for us any more, so leave at once
  // rather than keep sockets that will never hear from the hub again.
  process.on('disconnect', () => {
    // Once we have reported 'drained', the primary disconnects us on purpose: nothing to warn of.
    if (!drained) log.warn('lost the primary; exiting');
    connections.drain('server shutting down', 'disconnected', () => process.exit(0));
    setTimeout(() => process.exit(0), PRIMARY_LOST_EXIT_MS).unref();
  });

  // Ctrl-C in a terminal reaches the whole process group: the primary decides, not us.
  process.on('SIGINT', () => {});
  // A SIGTERM aimed at this worker alone: leave in good order; the primary forks a replacement.
  // Exiting here at once would lose the last close requests, as above; the primary ends us.
  process.on('SIGTERM', () => {
    connections.drain('worker restarting', 'worker restarting', reportDrained);
  });

  send({ type: 'hello' });
  setInterval(() => send({ type: 'heartbeat' }), config.heartbeatInterval).unref();
}

main();
