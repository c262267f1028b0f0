/**
 * Entry point of a worker process, forked by the primary. It serves the TCP connections the
 * primary hands it and talks to the hub over cluster IPC. It holds no cluster-wide state.
 */
import cluster from 'node:cluster';
import { ClusterWorkerBus } from './bus/cluster-worker-bus.js';
import type { WorkerMessage } from './bus/messages.js';
import { LazyHttpFront } from './http/lazy-http-front.js';
import { createLogger, forwardingLogger, plural } from './log.js';
import { LazyWorkerMetrics } from './metrics/lazy-worker-metrics.js';
import { ConnectionTable } from './server/connection-table.js';
import { createServerContext } from './server/tls-socket.js';
import { parseWorkerConfig } from './server/worker-config.js';

/** How long a scrape of /metrics waits for the primary's merged view (the primary waits 1 s for the workers). */
const METRICS_TIMEOUT_MS = 3_000;
/**
 * The longest a worker that lost its primary stays: its BYEs normally leave within milliseconds;
 * this bounds a client that reads nothing (its socket's buffer full).
 */
const PRIMARY_LOST_EXIT_MS = 300;

function send(message: WorkerMessage, callback: (error: Error | null) => void): boolean {
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
  let config;
  try {
    config = parseWorkerConfig(process.env.CHAT_WORKER_CONFIG);
  } catch (error) {
    console.error(`worker: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const workerId = worker.id;
  const source = `worker ${workerId}`;
  const direct = createLogger(source, config.logLevel);
  const log = forwardingLogger(source, config.logLevel, (level, text) => bus.forwardLog({ level, text }));
  const bus = new ClusterWorkerBus({
    send,
    heartbeatInterval: config.heartbeatInterval,
    pid: process.pid,
    connected: () => process.connected,
    metricsTimeout: METRICS_TIMEOUT_MS,
    log,
    unsentLog: (line) => {
      direct[line.level](line.text);
    },
  });
  const tls = config.tls === undefined ? undefined : createServerContext(config.tls);
  const connections = new ConnectionTable(workerId, bus, config.limits, config.history, log, tls);
  const http = new LazyHttpFront({ connections, metrics: () => bus.metricsPage(), limits: config.http, tls, log });

  process.on('message', (message: unknown, handle: unknown) => {
    bus.receive(message, handle);
  });

  // cluster makes a worker exit the instant its IPC channel closes, unless the disconnect was
  // asked for (it calls process.exit(0) when `exitedAfterDisconnect` is not true): the clients
  // would see their connection drop without a word. We take that over, below.
  worker.exitedAfterDisconnect = true;
  process.on('disconnect', () => {
    // Once we have reported 'drained', the primary disconnects us on purpose: our clients are gone.
    if (bus.drained) process.exit(0);
    // The primary is gone (killed, crashed): nobody can route for us any more. Each client is
    // told why, and we leave as soon as the BYEs are out, rather than keep sockets that will
    // never hear from the hub again.
    log.warn(`lost the primary: BYE server lost to ${plural(connections.size, 'connection')}, then exiting`);
    http.drain();
    connections.abandon('server lost', () => process.exit(0));
    setTimeout(() => process.exit(0), PRIMARY_LOST_EXIT_MS).unref();
  });

  // Ctrl-C in a terminal reaches the whole process group: the primary decides, not us.
  process.on('SIGINT', () => {});
  // A SIGTERM aimed at this worker alone: leave in good order; the primary forks a replacement.
  // Exiting here at once would lose the last close requests; the primary ends us on 'drained'.
  process.on('SIGTERM', () => {
    bus.drain('worker restarting');
  });

  bus.open(connections, http, new LazyWorkerMetrics(connections, log));
}

main();
