/**
 * The worker's end of the cluster IPC bus, both directions. Requests are batched per event-loop
 * turn, so a busy worker sends one IPC message for many client lines, not one each (several when
 * their texts pass `MAX_MESSAGE_CHARS`). What the
 * primary sends is handed to the worker's connections; the bus also says `hello` (its handler is
 * installed), `ready`, `drained`, and sends the heartbeats the primary watches.
 */
import net from 'node:net';
import { plural, type Logger } from '../log.js';
import type { WorkerBus } from './bus.js';
import { cutBatch } from './message-size.js';
import {
  isPrimaryMessage,
  unhandled,
  type Delivery,
  type HubRequest,
  type LogLine,
  type MetricsPage,
  type MetricsSnapshot,
  type WorkerMessage,
} from './messages.js';

type SendToPrimary = (message: WorkerMessage, callback: (error: Error | null) => void) => boolean;

/** A worker's HTTP side (`LazyHttpFront`): the connections handed over from the HTTP port. */
export interface WorkerHttp {
  accept(socket: net.Socket): void;
  /** The worker is leaving: its HTTP connections close. */
  drain(): void;
}

/** A worker's own metrics (`LazyWorkerMetrics`), sent when the primary gathers. */
export interface WorkerMetricsSource {
  /** Makes the metrics registry, off the way to the first connection. */
  prepare(): void;
  snapshot(): Promise<MetricsSnapshot>;
}

/** What the bus drives in a worker: its connections (`ConnectionTable`). */
export interface WorkerConnections {
  readonly size: number;
  /** Where the seq space stands when this worker joins the cluster. */
  init(epoch: string, lastSeq: number, serving: boolean): void;
  /** Events retained by the hub when this worker joined, oldest first, before any broadcast. */
  seed(text: string, first: number, last: number): void;
  accept(socket: net.Socket): void;
  apply(batch: readonly Delivery[]): void;
  /** Says `BYE <bye>` to everyone (their LEAVE says `leaveReason`); `done` runs once all are closed. */
  drain(bye: string, leaveReason: string, done: () => void): void;
}

export interface ClusterWorkerBusOptions {
  send: SendToPrimary;
  /** Milliseconds between two heartbeats to the primary. */
  heartbeatInterval: number;
  /** This worker's process id, for the `ready` message. */
  pid: number;
  /** Whether the channel to the primary is open. */
  connected: () => boolean;
  /** How long a `/metrics` request waits for the primary's answer. */
  metricsTimeout: number;
  log: Logger;
  /** Writes a log line the primary could not take (it died meanwhile). */
  unsentLog: (line: LogLine) => void;
}

export class ClusterWorkerBus implements WorkerBus {
  readonly #options: ClusterWorkerBusOptions;
  #connections: WorkerConnections | undefined;
  #http: WorkerHttp | undefined;
  #metrics: WorkerMetricsSource | undefined;
  /** `/metrics` requests waiting for the primary's page, by id. */
  readonly #metricsRequests = new Map<number, (page: MetricsPage | undefined) => void>();
  #nextMetricsRequest = 1;
  #batch: HubRequest[] = [];
  #logLines: LogLine[] = [];
  #scheduled = false;
  #drained = false;

  constructor(options: ClusterWorkerBusOptions) {
    this.#options = options;
  }

  /** Whether this worker has told the primary it is drained (the primary then closes the channel). */
  get drained(): boolean {
    return this.#drained;
  }

  /**
   * Serves `connections` (chat/1) and `http` (the HTTP port), and answers for `metrics`: says
   * hello, so the primary starts talking, and starts the heartbeats.
   */
  open(connections: WorkerConnections, http: WorkerHttp, metrics: WorkerMetricsSource): void {
    this.#connections = connections;
    this.#http = http;
    this.#metrics = metrics;
    this.#options.send({ type: 'hello' }, this.#ignoreLoss);
    // Sent from a timer: only a blocked event loop stops it.
    setInterval(
      () => this.#options.send({ type: 'heartbeat' }, this.#ignoreLoss),
      this.#options.heartbeatInterval,
    ).unref();
  }

  request(request: HubRequest): void {
    this.#batch.push(request);
    this.#schedule();
  }

  /**
   * Queues a log line for the primary, which writes it (see `forwardingLogger`); false when there
   * is no primary to take it, and the caller writes it itself.
   */
  forwardLog(line: LogLine): boolean {
    if (!this.#options.connected()) return false;
    this.#logLines.push(line);
    this.#schedule();
    return true;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  /** A message from the primary, with the socket handle that came with it. */
  receive(message: unknown, handle: unknown): void {
    const connections = this.#connections;
    if (connections === undefined) return;
    if (!isPrimaryMessage(message)) {
      this.#options.log.warn('ignored a message of unknown form from the primary');
      return;
    }
    switch (message.type) {
      case 'init':
        connections.init(message.epoch, message.lastSeq, message.serving);
        this.#options.send({ type: 'ready', pid: this.#options.pid }, this.#ignoreLoss);
        // After 'ready': the first connections come before the metrics.
        setImmediate(() => this.#metrics?.prepare());
        return;
      case 'seed':
        connections.seed(message.text, message.first, message.last);
        return;
      case 'connection':
        if (handle instanceof net.Socket) {
          if (message.port === 'http') this.#http?.accept(handle);
          else connections.accept(handle);
        }
        // Sent at once, not batched: the primary hands a worker no more while this is missing.
        this.#options.send({ type: 'accepted' }, this.#ignoreLoss);
        return;
      case 'deliveries':
        connections.apply(message.batch);
        return;
      case 'drain':
        this.#options.log.info(`draining ${plural(connections.size, 'connection')}: ${message.reason}`);
        this.drain(message.reason);
        return;
      case 'metrics-collect':
        this.#reportMetrics(message.id);
        return;
      case 'metrics-page':
        this.#metricsRequests.get(message.id)?.(message.page);
        return;
      default:
        unhandled(message);
    }
  }

  /** The metrics of the whole server, as the primary merges them; rejects when it does not answer in time. */
  metricsPage(): Promise<MetricsPage> {
    const id = this.#nextMetricsRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(undefined);
      }, this.#options.metricsTimeout);
      const settle = (page: MetricsPage | undefined) => {
        clearTimeout(timer);
        this.#metricsRequests.delete(id);
        if (page === undefined) reject(new Error('the primary did not answer'));
        else resolve(page);
      };
      this.#metricsRequests.set(id, settle);
      if (!this.#options.send({ type: 'metrics-request', id }, this.#ignoreLoss)) settle(undefined);
    });
  }

  #reportMetrics(id: number): void {
    this.#metrics?.snapshot().then(
      (metrics) => this.#options.send({ type: 'metrics-report', id, metrics }, this.#ignoreLoss),
      (error: unknown) => {
        this.#options.log.warn(`metrics: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  /** Says `BYE <reason>` to every client and closes them, then tells the primary it is drained. */
  drain(reason: string): void {
    this.#http?.drain();
    this.#connections?.drain(reason, reason, () => {
      // The close requests of the last connections are still in the batch, which goes out in a
      // setImmediate queued before this one. 'drained' must follow them: the primary ends us on
      // 'drained', and its hub would report users whose close it never got as "worker lost".
      setImmediate(() => {
        this.#drained = true;
        this.#options.send({ type: 'drained' }, this.#ignoreLoss);
      });
    });
  }

  #flush = (): void => {
    this.#scheduled = false;
    const requests = this.#batch;
    this.#batch = [];
    for (const batch of cutBatch(requests)) {
      this.#options.send({ type: 'requests', batch }, (error) => {
        // The primary is gone; the 'disconnect' handler ends this worker.
        if (error !== null) this.#options.log.debug(`request batch lost: ${error.message}`);
      });
    }
    const logLines = this.#logLines;
    this.#logLines = [];
    for (const lines of cutBatch(logLines)) {
      this.#options.send({ type: 'log', lines }, (error) => {
        // The primary died with these on their way: they are written here instead.
        if (error !== null) for (const line of lines) this.#options.unsentLog(line);
      });
    }
  };

  /** Lost only when the primary is gone, which the worker's 'disconnect' handler deals with. */
  readonly #ignoreLoss = (): void => {};
}
