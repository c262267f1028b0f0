/**
 * The bus as sessions and the hub see it: two narrow seams. Today both are cluster IPC through
 * the primary (`cluster-hub-bus.ts`, `cluster-worker-bus.ts`); a multi-host bus on a broker could
 * sit behind the same two interfaces without touching sessions or the hub.
 */
import type { Delivery, HubRequest } from './messages.js';

/** The hub's outlet: where its deliveries go. */
export interface HubBus {
  /** Queue a delivery for one worker. */
  toWorker(workerId: number, delivery: Delivery): void;
  /** Queue a delivery for every live worker. */
  toAll(delivery: Delivery): void;
}

/** A worker's outlet: requests for the hub. Deliveries come back through the worker's handler. */
export interface WorkerBus {
  request(request: HubRequest): void;
}
