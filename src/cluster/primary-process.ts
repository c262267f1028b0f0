/**
 * The primary process put together: history, hub, bus, workers, the listening socket, and the
 * signals that end or reload it.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { ClusterHubBus } from '../bus/cluster-hub-bus.js';
import { WorkerLink } from '../bus/worker-link.js';
import type { Status } from '../cli/status.js';
import { LocalState, type ChatState } from '../hub/chat-state.js';
import { HistoryFile, newEpoch, type RestoredHistory } from '../hub/history-file.js';
import { HistoryRing } from '../hub/history-ring.js';
import { formatPublicEvent } from '../protocol/wire.js';
import { Hub } from '../hub/hub.js';
import type { LoadedTls } from '../cli/tls-files.js';
import type { AddressLimitOptions } from '../hub/address-limits.js';
import type { Logger, LogLevel } from '../log.js';
import type { SessionLimits } from '../server/limits.js';
import { Supervisor } from './supervisor.js';

export interface PrimaryOptions {
  workers: number;
  host: string;
  port: number;
  limits: SessionLimits;
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
/** Heartbeats come this many times per timeout, so one late timer never counts as a hang. */
const HEARTBEATS_PER_TIMEOUT = 4;

export async function runPrimary(options: PrimaryOptions, status: Status, log: Logger): Promise<void> {
  status.start(`starting ${options.workers} workers…`);
  const ring = new HistoryRing(options.history);
  const { state, file } = await openState(options, ring, log);

  const bus = new ClusterHubBus({
    maxBacklog: MAX_WORKER_BACKLOG_BYTES,
    durable: file === undefined ? undefined : () => file.flush(),
    log,
  });
  const hub = new Hub({
    bus,
    history: ring,
    state,
    maxClients: options.maxClients,
    addressLimits: options.addressLimits,
    adminToken: options.adminToken,
    log,
  });
  await state.start(hub);
  const heartbeatInterval = Math.ceil(options.heartbeatTimeout / HEARTBEATS_PER_TIMEOUT);
  const supervisor = new Supervisor({
    workers: options.workers,
    workerPath: fileURLToPath(new URL('../worker.js', import.meta.url)),
    workerConfig: {
      limits: options.limits,
      logLevel: options.logLevel,
      heartbeatInterval,
      tls: options.tls?.credentials,
    },
    link: (worker, events) => new WorkerLink(worker, { hub, deliveries: bus, log, events }),
    log,
    // Looked at as often as they come: a silence is noticed within a quarter of the timeout.
    watchInterval: heartbeatInterval,
    heartbeatTimeout: options.heartbeatTimeout,
    drainTimeout: options.shutdownTimeout,
  });

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    supervisor.handoff(socket);
  });
  let stopping = false;
  // A worker that hangs would never see us go (it notices by its IPC channel closing, which it
  // cannot read): it is killed rather than left behind as an orphan holding its clients.
  const exitNow = () => {
    supervisor.killAll();
    process.exit(1);
  };
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn(`second ${signal}: exiting now`);
      exitNow();
    }
    stopping = true;
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${options.shutdownTimeout} ms; forcing`);
      exitNow();
    }, options.shutdownTimeout + 1_000);
    force.unref();
    server.close();
    await supervisor.stop('server shutting down');
    await state.close();
    bus.flush();
    await file?.close();
    log.info(`stopped; last seq ${hub.lastSeq}`);
    process.exitCode = 0;
    // Nothing is left to wait for; leaving now beats waiting on stray handles.
    process.exit();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void supervisor.rollingRestart());

  try {
    await supervisor.start();
    await listen(server, options.host, options.port);
  } catch (error) {
    status.fail(`could not start: ${(error as Error).message}`);
    await supervisor.stop('server shutting down');
    await state.close();
    await file?.close();
    throw error;
  }
  const address = server.address() as net.AddressInfo;
  status.succeed(`listening on ${options.host}:${address.port} with ${options.workers} workers`);
  const where =
    options.nats === undefined
      ? `persistence ${options.dataDir ?? 'off'}`
      : `host ${options.nats.nodeName} of the chat in NATS JetStream at ${options.nats.servers.join(',')}`;
  log.info(`epoch ${hub.epoch}, last seq ${hub.lastSeq}, ${where}`);
  log.info(options.tls === undefined ? 'TLS off' : `TLS on: ${options.tls.description}`);
  // PM2's wait_ready: tell it we serve now.
  process.send?.('ready');
}

/**
 * The chat-wide state: this process's memory with the history file (one host), or NATS JetStream
 * (several hosts: the history is the stream; there is no history file).
 */
async function openState(
  options: PrimaryOptions,
  ring: HistoryRing,
  log: Logger,
): Promise<{ state: ChatState; file?: HistoryFile }> {
  if (options.nats !== undefined) {
    if (options.dataDir !== undefined)
      log.info(`with --nats the history is in JetStream; ${options.dataDir} is not used`);
    // Loaded only here: a single host never loads the NATS client.
    const { JetStreamChat } = await import('../multihost/jetstream-chat.js');
    const { JetStreamState } = await import('../multihost/jetstream-state.js');
    const chat = await JetStreamChat.open({ ...options.nats, history: options.history, log });
    return { state: new JetStreamState(chat, log) };
  }
  const { file, restored } = await openHistory(options, log);
  for (const event of restored.events) ring.push(event.seq, formatPublicEvent(event));
  const state = new LocalState({
    epoch: restored.epoch,
    lastSeq: restored.lastSeq,
    onPublish:
      file === undefined
        ? undefined
        : (event) => {
            file.append(event);
          },
  });
  return file === undefined ? { state } : { state, file };
}

async function openHistory(
  options: PrimaryOptions,
  log: Logger,
): Promise<{ file?: HistoryFile; restored: RestoredHistory }> {
  if (options.dataDir === undefined) {
    return { restored: { epoch: newEpoch(), lastSeq: 0, events: [], fresh: true } };
  }
  const { file, restored } = await HistoryFile.open({
    dir: options.dataDir,
    retain: options.history,
    maxLine: options.limits.maxLine,
    log,
  });
  const kept = `${restored.events.length} events from ${options.dataDir}, last seq ${restored.lastSeq}`;
  if (!restored.fresh) log.info(`restored ${kept}`);
  else if (restored.events.length > 0) log.info(`new epoch ${restored.epoch}, keeping ${kept}`);
  else log.info(`new history in ${options.dataDir}, epoch ${restored.epoch}`);
  return { file, restored };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
