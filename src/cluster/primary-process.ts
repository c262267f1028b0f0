/**
 * The primary process put together: history, hub, bus, workers, the listening socket, and the
 * signals that end or reload it.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { ClusterHubBus } from '../bus/cluster-hub-bus.js';
import { WorkerLink } from '../bus/worker-link.js';
import type { Status } from '../cli/status.js';
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
}

/** A worker this far behind on deliveries is replaced rather than buffered for. */
const MAX_WORKER_BACKLOG_BYTES = 64 * 1024 * 1024;
/** Heartbeats come this many times per timeout, so one late timer never counts as a hang. */
const HEARTBEATS_PER_TIMEOUT = 4;

export async function runPrimary(options: PrimaryOptions, status: Status, log: Logger): Promise<void> {
  status.start(`starting ${options.workers} workers…`);
  const { file, restored } = await openHistory(options, log);
  const ring = new HistoryRing(options.history);
  for (const event of restored.events) ring.push(event.seq, formatPublicEvent(event));

  const bus = new ClusterHubBus({
    maxBacklog: MAX_WORKER_BACKLOG_BYTES,
    durable: file === undefined ? undefined : () => file.flush(),
    log,
  });
  const hub = new Hub({
    bus,
    history: ring,
    epoch: restored.epoch,
    lastSeq: restored.lastSeq,
    maxClients: options.maxClients,
    addressLimits: options.addressLimits,
    adminToken: options.adminToken,
    log,
    onPublish:
      file === undefined
        ? undefined
        : (event) => {
            file.append(event);
          },
  });
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
    await file?.close();
    throw error;
  }
  const address = server.address() as net.AddressInfo;
  status.succeed(`listening on ${options.host}:${address.port} with ${options.workers} workers`);
  log.info(`epoch ${hub.epoch}, last seq ${hub.lastSeq}, persistence ${options.dataDir ?? 'off'}`);
  log.info(options.tls === undefined ? 'TLS off' : `TLS on: ${options.tls.description}`);
  // PM2's wait_ready: tell it we serve now.
  process.send?.('ready');
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
