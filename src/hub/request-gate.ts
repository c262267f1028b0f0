/**
 * Keeps each connection's requests in order when the chat-wide state answers some of them later
 * (JetStream, across hosts): while one request of a connection is unanswered, that connection's
 * next requests wait, so its replies and its own events keep the order of its commands. Other
 * connections are not held up. With the in-process state every request is answered before
 * `handle` returns and nothing ever waits here.
 */
import type { HubRequest } from '../bus/messages.js';

/** Handles one request; calls `done` once it is answered, during the call or later. */
export type RequestHandler = (workerId: number, request: HubRequest, done: () => void) => void;

export class RequestGate {
  readonly #handler: RequestHandler;
  /** Requests waiting behind an unanswered one of the same connection, by `worker:conn`. */
  readonly #waiting = new Map<string, HubRequest[]>();

  constructor(handler: RequestHandler) {
    this.#handler = handler;
  }

  handle(workerId: number, request: HubRequest): void {
    if (this.#waiting.size > 0) {
      const waiting = this.#waiting.get(connectionKey(workerId, request.conn));
      if (waiting !== undefined) {
        waiting.push(request);
        return;
      }
    }
    this.#run(workerId, request);
  }

  /** The worker is gone: what its connections still had waiting is dropped. */
  workerLost(workerId: number): void {
    for (const key of this.#waiting.keys()) {
      if (key.startsWith(`${workerId}:`)) this.#waiting.delete(key);
    }
  }

  #run(workerId: number, request: HubRequest): void {
    // Whether `done` came during the call (the usual, synchronous case) or later.
    const progress = { finished: false, waiting: false };
    this.#handler(workerId, request, () => {
      progress.finished = true;
      if (progress.waiting) this.#resume(workerId, request.conn);
    });
    if (progress.finished) return;
    progress.waiting = true;
    this.#waiting.set(connectionKey(workerId, request.conn), []);
  }

  #resume(workerId: number, conn: number): void {
    const key = connectionKey(workerId, conn);
    const queue = this.#waiting.get(key);
    if (queue === undefined) return;
    this.#waiting.delete(key);
    for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
      this.#run(workerId, request);
      const next = this.#waiting.get(key);
      if (next !== undefined) {
        next.push(...queue);
        return;
      }
    }
  }
}

function connectionKey(workerId: number, conn: number): string {
  return `${workerId}:${conn}`;
}
