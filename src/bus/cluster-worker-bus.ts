/**
 * The worker's end of the cluster IPC bus: requests are batched per event-loop turn, so a busy
 * worker sends one IPC message for many client lines, not one each.
 */
import type { Logger } from '../log.js';
import type { WorkerBus } from './bus.js';
import type { HubRequest, WorkerMessage } from './messages.js';

export type SendToPrimary = (message: WorkerMessage, callback: (error: Error | null) => void) => boolean;

export class ClusterWorkerBus implements WorkerBus {
  readonly #send: SendToPrimary;
  readonly #log: Logger;
  #batch: HubRequest[] = [];
  #scheduled = false;

  constructor(send: SendToPrimary, log: Logger) {
    this.#send = send;
    this.#log = log;
  }

  request(request: HubRequest): void {
    this.#batch.push(request);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  #flush = (): void => {
    this.#scheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    this.#send({ type: 'requests', batch }, (error) => {
      // The primary is gone; the 'disconnect' handler ends this worker.
      if (error !== null) this.#log.debug(`request batch lost: ${error.message}`);
    });
  };
}
