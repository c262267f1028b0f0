/**
 * The hub's outlet on the primary: deliveries are queued per worker and sent as one IPC message
 * per worker per event-loop turn (or several, each under `MAX_MESSAGE_CHARS` of text);
 * consecutive broadcasts are joined into one text, so a worker writes each client once per batch.
 * The queue of every worker is bounded by what it has not yet taken off the pipe: a worker that
 * falls too far behind is cut off (its link reports it, the supervisor kills it and replaces it
 * like any dead worker, its clients refill from history) instead of growing our memory.
 *
 * Durability is not the bus's business: an event reaches it only once it is written
 * (`LocalState` holds it until its log says so).
 */
import type { Logger } from '../log.js';
import type { HubBus } from './bus.js';
import { cutBatch, cutReply } from './message-size.js';
import { MAX_MESSAGE_CHARS, type Delivery, type PrimaryMessage } from './messages.js';
import { checkPositiveInteger } from '../option-checks.js';

type SendToWorker = (message: PrimaryMessage, callback: (error: Error | null) => void) => boolean;

/** One worker's channel as the deliveries see it (a `WorkerLink` in the primary, a fake in tests). */
export interface DeliveryLink {
  send: SendToWorker;
  /** Ends a worker that has fallen too far behind. */
  cut: () => void;
}

interface Link extends DeliveryLink {
  queue: Delivery[];
  /** Bytes handed to IPC whose send has not completed yet. */
  inFlight: number;
  lagging: boolean;
}

export interface ClusterHubBusOptions {
  /** Bytes a worker may have outstanding before it is cut off. */
  maxBacklog: number;
  log: Logger;
}

type Batches = Array<[Link, number, Delivery[]]>;

export class ClusterHubBus implements HubBus {
  readonly #links = new Map<number, Link>();
  readonly #options: ClusterHubBusOptions;
  #scheduled = false;

  constructor(options: ClusterHubBusOptions) {
    checkPositiveInteger('maxBacklog', options.maxBacklog);
    this.#options = options;
  }

  /** From now on the worker receives broadcasts. */
  attach(workerId: number, link: DeliveryLink): void {
    this.#links.set(workerId, { send: link.send, cut: link.cut, queue: [], inFlight: 0, lagging: false });
  }

  /**
   * Sends `message` to every attached worker at once, outside the queued deliveries (it may
   * overtake them: for messages whose order does not matter); returns the workers it went to.
   */
  sendToEach(message: PrimaryMessage): number[] {
    const sent: number[] = [];
    for (const [workerId, link] of this.#links) {
      if (!link.lagging && link.send(message, ignoreLoss)) sent.push(workerId);
    }
    return sent;
  }

  detach(workerId: number): void {
    this.#links.delete(workerId);
  }

  toWorker(workerId: number, delivery: Delivery): void {
    const link = this.#links.get(workerId);
    if (link === undefined) return;
    for (const part of cutReply(delivery)) enqueue(link.queue, part);
    this.#schedule();
  }

  toAll(delivery: Delivery): void {
    for (const link of this.#links.values()) enqueue(link.queue, delivery);
    this.#schedule();
  }

  /** Sends what is queued now, without waiting for the end of the turn (shutdown). */
  flush(): void {
    this.#scheduled = false;
    this.#send(this.#take());
  }

  #take(): Batches {
    const batches: Batches = [];
    for (const [workerId, link] of this.#links) {
      if (link.queue.length === 0) continue;
      batches.push([link, workerId, link.queue]);
      link.queue = [];
    }
    return batches;
  }

  #send(batches: Batches): void {
    for (const [link, workerId, deliveries] of batches) {
      if (link.lagging || this.#links.get(workerId) !== link) continue;
      for (const batch of cutBatch(deliveries)) {
        const bytes = batchBytes(batch);
        link.inFlight += bytes;
        link.send({ type: 'deliveries', batch }, (error) => {
          link.inFlight -= bytes;
          if (error !== null) this.#options.log.debug(`worker ${workerId}: delivery failed: ${error.message}`);
        });
      }
      if (link.inFlight > this.#options.maxBacklog) {
        link.lagging = true;
        this.#options.log.error(`worker ${workerId} is ${link.inFlight} bytes behind; replacing it`);
        link.cut();
      }
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.flush();
    });
  }
}

/** Appends, joining a broadcast to a broadcast just before it while the text stays within bounds. */
function enqueue(queue: Delivery[], delivery: Delivery): void {
  const last = queue[queue.length - 1];
  if (delivery.type === 'all' && last?.type === 'all' && last.text.length + delivery.text.length <= MAX_MESSAGE_CHARS) {
    queue[queue.length - 1] = { type: 'all', text: last.text + delivery.text, seq: delivery.seq };
  } else {
    queue.push(delivery);
  }
}

function batchBytes(batch: readonly Delivery[]): number {
  let bytes = 0;
  for (const delivery of batch) bytes += 'text' in delivery ? delivery.text.length + 32 : 32;
  return bytes;
}

/** A worker gone meanwhile: its link is detached, nothing to do. */
function ignoreLoss(): void {}
