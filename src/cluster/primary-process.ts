/**
 * The primary process put together: history, hub, bus, workers, the listening socket, and the
 * signals that end or reload it.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ClusterHubBus } from '../bus/cluster-hub-bus.js';
import { WorkerLink } from '../bus/worker-link.js';
import type { Status } from '../cli/status.js';
import { HistoryRing } from '../hub/history-ring.js';
import type { HttpLimits } from '../http/http-front.js';
import { ShutdownResponder } from '../http/shutdown-responder.js';
import { MetricsGatherer } from '../metrics/metrics-gatherer.js';
import { PrimaryMetrics } from '../metrics/primary-metrics.js';
import { Hub } from '../hub/hub.js';
import type { LoadedTls } from '../cli/tls-files.js';
import type { AddressLimitOptions } from '../hub/address-limits.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import type { SessionLimits } from '../server/limits.js';
import { BoundPort } from './bound-port.js';
import { DataDirLock } from './data-dir-lock.js';
import { openChatState } from './open-chat-state.js';
import { StopSignals, untilAborted } from './stop-signals.js';
import { Supervisor } from './supervisor.js';

export interface PrimaryOptions {
  workers: number;
  host: string;
  port: number;
  /** The HTTP port (web client, /ws, /healthz, /metrics); undefined: none. */
  httpPort: number | undefined;
  limits: SessionLimits;
  http: HttpLimits;
  maxClients: number;
  addressLimits: AddressLimitOptions;
  /** The operator token, '' for none. The hub alone knows it: workers never see it. */
  adminToken: string;
  /** With TLS, the workers speak it on every chat connection; the primary only hands sockets over. */
  tls: LoadedTls | undefined;
  history: number;
  /** Where history.jsonl lives; undefined keeps the history in memory only. */
  dataDir: string | undefined;
  shutdownTimeout: number;
  heartbeatTimeout: number;
  logLevel: LogLevel;
  /** With it, this is one host of a multi-host chat whose state is in NATS JetStream. */
  nats: MultiHostOptions | undefined;
}

interface MultiHostOptions {
  servers: string[];
  replicas: number;
  nodeName: string;
}

/** A worker this far behind on deliveries is replaced rather than buffered for. */
const MAX_WORKER_BACKLOG_BYTES = 64 * 1024 * 1024;
/** A worker that has not sent its metrics by then is left out of that scrape. */
const METRICS_GATHER_TIMEOUT_MS = 1_000;
/** Heartbeats come this many times per timeout, so one late timer never counts as a hang. */
const HEARTBEATS_PER_TIMEOUT = 4;

/**
 * Starts the server in an order that fails early and cleanly: the port is bound first, then the
 * data dir is locked and the chat's state read, and only then are workers forked. A signal during
 * the start stops it at once.
 */
export async function runPrimary(options: PrimaryOptions, status: Status, log: Logger): Promise<void> {
  const signals = new StopSignals(log);
  const duringStart = <T>(step: Promise<T>) =>
    untilAborted(step, signals.startInterrupted, 'interrupted while starting');
  // Bound first; until the supervisor exists, the connections wait in it, paused.
  const chatPort = await BoundPort.open(options.host, options.port, '--port');
  // The HTTP port likewise (web client, /ws, /healthz, /metrics); a port taken fails the start here.
  const httpPort =
    options.httpPort === undefined
      ? undefined
      : await BoundPort.open(options.host, options.httpPort, '--http-port').catch((error: unknown) => {
          chatPort.abandon();
          throw error;
        });
  const abandon = () => {
    chatPort.abandon();
    httpPort?.abandon();
  };
  const lock = await lockDataDir(options, log).catch((error: unknown) => {
    abandon();
    throw error;
  });
  status.start(`starting ${options.workers} workers…`);
  /** The start ends here: `undo` ends what it reached, then it says why. */
  const failStart = async (error: unknown, undo: () => void | Promise<void>): Promise<never> => {
    signals.stopping();
    await undo();
    const interrupted = signals.interruptedExitCode;
    if (interrupted === undefined) {
      status.fail(`could not start: ${(error as Error).message}`);
      throw error;
    }
    status.fail('interrupted while starting');
    process.exitCode = interrupted;
    // What the start was waiting for (a NATS server that does not answer, say) may hold the event loop.
    process.exit();
  };
  const release = () => {
    lock?.release();
    abandon();
  };
  const ring = new HistoryRing(options.history);
  const { state, file } = await duringStart(openChatState(options, ring, log)).catch((error: unknown) =>
    failStart(error, release),
  );

  const bus = new ClusterHubBus({
    maxBacklog: MAX_WORKER_BACKLOG_BYTES,
    log,
  });
  const metrics = new PrimaryMetrics(ring);
  const hub = new Hub({
    bus,
    history: ring,
    state,
    maxClients: options.maxClients,
    addressLimits: options.addressLimits,
    adminToken: options.adminToken,
    log,
    onPublic: (event) => {
      metrics.published(event);
    },
  });
  await duringStart(state.start(hub)).catch((error: unknown) => failStart(error, release));
  // The workers' metrics come over the bus, merged with ours on every scrape of /metrics.
  const gatherer = new MetricsGatherer(
    metrics.registry,
    (id) => bus.sendToEach({ type: 'metrics-collect', id }),
    METRICS_GATHER_TIMEOUT_MS,
  );
  const heartbeatInterval = Math.ceil(options.heartbeatTimeout / HEARTBEATS_PER_TIMEOUT);
  const workers = new Supervisor({
    workers: options.workers,
    workerPath: fileURLToPath(new URL('../worker.js', import.meta.url)),
    workerConfig: {
      limits: options.limits,
      history: options.history,
      http: options.http,
      logLevel: options.logLevel,
      heartbeatInterval,
      tls: options.tls?.credentials,
    },
    link: (worker, events) =>
      new WorkerLink(worker, {
        hub,
        deliveries: bus,
        metrics: gatherer,
        log,
        workerLog: createLogger(`worker ${worker.id}`, options.logLevel),
        events,
      }),
    log,
    // Looked at as often as they come: a silence is noticed within a quarter of the timeout.
    watchInterval: heartbeatInterval,
    heartbeatTimeout: options.heartbeatTimeout,
    drainTimeout: options.shutdownTimeout,
  });
  chatPort.serve((socket) => {
    workers.handoff(socket, 'chat');
  });

  metrics.observe(workers);
  // While the server shuts down, the HTTP port stays open and answers 503 itself.
  const shutdownResponder = new ShutdownResponder();
  httpPort?.serve((socket) => {
    if (signals.phase === 'stopping') shutdownResponder.accept(socket);
    else workers.handoff(socket, 'http');
  });
  // A worker that hangs would never see us go (it notices by its IPC channel closing, which it
  // cannot read): it is killed rather than left behind as an orphan holding its clients.
  const exitNow = () => {
    workers.killAll();
    lock?.release();
    process.exit(1);
  };
  /** Every worker drained (clients get `BYE <reason>`), the state written, the lock released. */
  const close = async () => {
    chatPort.server.close();
    await workers.stop('server shutting down');
    await state.close();
    bus.flush();
    await file?.close();
    lock?.release();
    // Last: until here it told HTTP clients the server is shutting down (503).
    httpPort?.server.close();
  };
  const shutDown = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${options.shutdownTimeout} ms; forcing`);
      exitNow();
    }, options.shutdownTimeout + 1_000);
    force.unref();
    await close();
    log.info(`stopped; last seq ${hub.lastSeq}`);
    process.exitCode = 0;
    // Nothing is left to wait for; leaving now beats waiting on stray handles.
    process.exit();
  };
  signals.exitNowBy(exitNow);
  process.on('SIGHUP', () => void workers.rollingRestart());

  // An interruption stops the forks; the failure path ends those forked so far.
  await workers.start(signals.startInterrupted).catch((error: unknown) => failStart(error, close));
  signals.running((signal) => void shutDown(signal));
  status.succeed(`listening on ${options.host}:${chatPort.port} with ${options.workers} workers`);
  if (httpPort !== undefined) {
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    status.succeed(`web client on ${options.tls === undefined ? 'http' : 'https'}://${host}:${httpPort.port}/`);
  }
  const where =
    options.nats === undefined
      ? `persistence ${options.dataDir ?? 'off'}`
      : `host ${options.nats.nodeName} of the chat in NATS JetStream at ${options.nats.servers.join(',')}`;
  log.info(`epoch ${hub.epoch}, last seq ${hub.lastSeq}, ${where}`);
  log.info(options.tls === undefined ? 'TLS off' : `TLS on: ${options.tls.description}`);
  // PM2's wait_ready: tell it we serve now.
  process.send?.('ready');
}

/** One server per data dir (a multi-host chat keeps its state in NATS: no data dir to lock). */
async function lockDataDir(options: PrimaryOptions, log: Logger): Promise<DataDirLock | undefined> {
  const dir = options.dataDir;
  if (dir === undefined || options.nats !== undefined) return undefined;
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw new Error(`cannot use the data dir ${dir}: ${(error as Error).message}`, { cause: error });
  });
  return DataDirLock.acquire(dir, (message) => {
    log.warn(message);
  });
}
