/**
 * The primary's end of one worker's IPC channel, both directions: it reads what the worker sends
 * (requests for the hub, the ready handshake, signs of life, `drained`) and sends what the worker
 * is told (its starting seq, connections, deliveries, `drain`). The supervisor decides which
 * worker gets what; this is how it gets there.
 *
 * Hand-off: cluster's own round-robin and plain `worker.send(message, socket)` both keep the
 * primary's copy of a socket until the worker acknowledges it, and leak it for good if the worker
 * dies first: the client then sits on an open connection that nobody will ever greet. So sockets
 * are sent with `keepOpen`, and our copy is closed when the worker acknowledges the hand-off
 * (`accepted`), or when it dies. A worker that has sent nothing at all since a hand-off that it
 * has not acknowledged within `HAND_OFF_DEADLINE_MS` is stopped or stuck (the heartbeat verdict
 * takes seconds longer): that client is let go — our copy shuts the connection down, the client
 * sees it closed and can connect again, to another worker. So every connection handed over is
 * greeted or closed, within 3 s unless the worker is alive but slower than that.
 */
import type { Worker } from 'node:cluster';
import type net from 'node:net';
import type { Logger } from '../log.js';
import type { DeliveryLink } from './cluster-hub-bus.js';
import type { HistoryRing } from '../hub/history-ring.js';
import {
  isWorkerMessage,
  MAX_MESSAGE_CHARS,
  unhandled,
  type HubRequest,
  type ListenerKind,
  type MetricsPage,
  type MetricsSnapshot,
  type PrimaryMessage,
  type WorkerMessage,
} from './messages.js';

/** How long a silent worker may leave a hand-off unacknowledged before the client is let go. */
const HAND_OFF_DEADLINE_MS = 2_500;

/** A connection handed to the worker and not acknowledged yet. */
interface HandOff {
  /** When it was handed over. */
  readonly at: number;
  /** Our copy of the socket, until it is acknowledged, let go, or the worker is gone. */
  socket: net.Socket | undefined;
  readonly deadline: NodeJS.Timeout;
}

/** What the link needs of the hub: where requests go, where a new worker starts. */
interface HubEnd {
  readonly epoch: string;
  readonly lastSeq: number;
  /** False while this host is fenced from a multi-host chat. */
  readonly serving: boolean;
  /** The events retained, which a new worker's ring starts with. */
  readonly history: HistoryRing;
  handle(workerId: number, request: HubRequest): void;
  /** The worker is gone: its users leave. */
  workerLost(workerId: number): void;
}

/** Where a worker's deliveries are queued (`ClusterHubBus`). */
interface DeliveryOutlet {
  attach(workerId: number, link: DeliveryLink): void;
  detach(workerId: number): void;
}

/** Where the link takes `/metrics` requests and the worker's own metrics (`MetricsGatherer`). */
interface MetricsEnd {
  page(): Promise<MetricsPage>;
  received(workerId: number, requestId: number, snapshot: MetricsSnapshot): void;
}

/** What the link reports to whoever keeps the worker alive (the supervisor). */
export interface LinkEvents {
  /** The worker takes connections now. */
  ready: (pid: number) => void;
  /** The worker has fallen too far behind on its deliveries to be kept. */
  lagging: () => void;
  /** The worker has taken a connection handed to it. */
  accepted: () => void;
}

export interface WorkerLinkOptions {
  hub: HubEnd;
  deliveries: DeliveryOutlet;
  metrics: MetricsEnd;
  log: Logger;
  /** Where the worker's own log lines are written, under its name. */
  workerLog: Logger;
  events: LinkEvents;
}

export class WorkerLink {
  readonly id: number;
  readonly #worker: Worker;
  readonly #options: WorkerLinkOptions;
  /** Sockets handed to the worker that are not written to its IPC channel yet. */
  readonly #inHandoff = new Set<net.Socket>();
  /** The hand-offs the worker has not acknowledged yet, oldest first. */
  readonly #unacknowledged: HandOff[] = [];
  #lastHeard = Date.now();
  #gone = false;

  constructor(worker: Worker, options: WorkerLinkOptions) {
    this.id = worker.id;
    this.#worker = worker;
    this.#options = options;
    worker.on('message', (message: unknown) => {
      this.#receive(message);
    });
    worker.on('error', (error) => {
      options.log.debug(`worker ${this.id}: ${error.message}`);
    });
    worker.on('exit', () => {
      this.#close();
    });
  }

  /** When the worker last sent anything (its fork, for a new worker). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** How long the oldest hand-off the worker has not acknowledged has waited (0: none waits). */
  handOffDelay(now: number): number {
    const oldest = this.#unacknowledged[0];
    return oldest === undefined ? 0 : now - oldest.at;
  }

  /** Gives the worker a connection to serve, from the chat/1 port or the HTTP port. */
  handOff(socket: net.Socket, port: ListenerKind): void {
    this.#inHandoff.add(socket);
    const handOff: HandOff = {
      at: Date.now(),
      socket,
      deadline: setTimeout(() => {
        this.#overdue(handOff);
      }, HAND_OFF_DEADLINE_MS).unref(),
    };
    this.#unacknowledged.push(handOff);
    this.#send({ type: 'connection', port }, socket, (error) => {
      this.#inHandoff.delete(socket);
      if (error === null) {
        // Sent: the worker holds its own copy; ours stays until the hand-off is acknowledged.
        if (handOff.socket === undefined) socket.destroy();
        return;
      }
      // Never sent: no acknowledgement will come for it, and the client sees the close.
      clearTimeout(handOff.deadline);
      handOff.socket = undefined;
      socket.destroy();
      const index = this.#unacknowledged.indexOf(handOff);
      if (index !== -1) this.#unacknowledged.splice(index, 1);
    });
  }

  /** Asks the worker to say `BYE <reason>` to its clients and close them; it reports `drained`. */
  drain(reason: string): void {
    this.#send({ type: 'drain', reason });
  }

  #receive(message: unknown): void {
    if (this.#gone) return;
    this.#lastHeard = Date.now();
    if (!isWorkerMessage(message)) {
      this.#options.log.warn(`worker ${this.id} sent a message of unknown form; ignored`);
      return;
    }
    this.#handle(message);
  }

  #handle(message: WorkerMessage): void {
    const { hub, deliveries } = this.#options;
    switch (message.type) {
      case 'requests':
        for (const request of message.batch) hub.handle(this.id, request);
        return;
      case 'heartbeat':
        // Any message is a sign of life (see #receive); this one exists to be one.
        return;
      case 'hello':
        // Broadcasts reach the worker from the same moment as its starting seq: none is missed.
        this.#send({ type: 'init', epoch: hub.epoch, lastSeq: hub.lastSeq, serving: hub.serving });
        // The worker answers HISTORY from its own ring: it starts with ours, in bounded pieces.
        for (const piece of hub.history.pieces(MAX_MESSAGE_CHARS)) this.#send({ type: 'seed', ...piece });
        deliveries.attach(this.id, {
          send: (out, callback) => this.#send(out, undefined, callback),
          cut: () => {
            this.#options.events.lagging();
          },
        });
        return;
      case 'ready':
        this.#options.events.ready(message.pid);
        return;
      case 'drained':
        // It has closed its last connection: closing the channel lets it exit.
        this.#worker.disconnect();
        return;
      case 'accepted': {
        const handOff = this.#unacknowledged.shift();
        if (handOff !== undefined) this.#dropCopy(handOff);
        this.#options.events.accepted();
        return;
      }
      case 'log':
        for (const line of message.lines) this.#options.workerLog[line.level](line.text);
        return;
      case 'metrics-request':
        this.#options.metrics.page().then(
          (page) => this.#send({ type: 'metrics-page', id: message.id, page }),
          (error: unknown) => {
            // The worker's request times out: its scrape gets a 503.
            this.#options.log.warn(`metrics: ${error instanceof Error ? error.message : String(error)}`);
          },
        );
        return;
      case 'metrics-report':
        this.#options.metrics.received(this.id, message.id, message.metrics);
        return;
      default:
        unhandled(message);
    }
  }

  /**
   * A hand-off unacknowledged past the deadline: if the worker has not been heard from since it
   * was made, it is stopped or stuck, and the client is let go rather than left silent. (A worker
   * heard from since is busy, not stuck: the connection waits for it.)
   */
  #overdue(handOff: HandOff): void {
    const socket = handOff.socket;
    if (this.#gone || socket === undefined || this.#lastHeard >= handOff.at) return;
    handOff.socket = undefined;
    this.#options.log.warn(
      `worker ${this.id} has not taken a connection in ${HAND_OFF_DEADLINE_MS} ms and is silent; closed it`,
    );
    // A shutdown, not just a close of our copy: the worker (or the message queued to it) holds
    // another copy, which would keep the connection open.
    socket.end(() => {
      if (!this.#inHandoff.has(socket)) socket.destroy();
    });
  }

  /**
   * The hand-off is settled (acknowledged, or its worker is gone): no deadline, and our copy of
   * the socket is closed once it has left for the worker.
   */
  #dropCopy(handOff: HandOff): void {
    clearTimeout(handOff.deadline);
    const socket = handOff.socket;
    handOff.socket = undefined;
    if (socket !== undefined && !this.#inHandoff.has(socket)) socket.destroy();
  }

  #close(): void {
    this.#gone = true;
    this.#options.deliveries.detach(this.id);
    if (this.#inHandoff.size > 0) {
      this.#options.log.warn(
        `worker ${this.id} died holding ${this.#inHandoff.size} connections in hand-off; closed them`,
      );
      for (const socket of this.#inHandoff) socket.destroy();
    }
    // The sent ones the worker never acknowledged: the kernel closes its copies, we close ours.
    for (const handOff of this.#unacknowledged.splice(0)) this.#dropCopy(handOff);
    this.#options.hub.workerLost(this.id);
  }

  /** Sends to the worker; a worker that is gone fails the callback, never the primary. */
  #send(message: PrimaryMessage, handle?: net.Socket, callback: (error: Error | null) => void = () => {}): boolean {
    if (this.#gone || !this.#worker.isConnected()) {
      process.nextTick(callback, new Error(`worker ${this.id} is gone`));
      return false;
    }
    // keepOpen: see the top of this file; `handOff` closes our copy once it is sent.
    return this.#worker.send(message, handle, { keepOpen: true }, callback);
  }
}
