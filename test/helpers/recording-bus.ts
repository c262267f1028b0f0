/** The hub's outlet in tests: it records what the hub sends to each worker, in order. */
import type { HubBus } from '../../src/bus/bus.js';
import type { Delivery } from '../../src/bus/messages.js';
import { defined } from './defined.js';

/** Records what the hub sends to each worker, as the cluster bus would deliver it. */
export class RecordingBus implements HubBus {
  readonly workers = new Map<number, Delivery[]>();
  constructor(ids: number[]) {
    for (const id of ids) this.workers.set(id, []);
  }
  toWorker(id: number, delivery: Delivery): void {
    this.workers.get(id)?.push(delivery);
  }
  toAll(delivery: Delivery): void {
    for (const list of this.workers.values()) list.push(delivery);
  }
  take(id: number): Delivery[] {
    return defined(this.workers.get(id), `worker ${id}`).splice(0);
  }
  /** Forgets what every worker was sent so far (a test's setup steps). */
  forget(): void {
    for (const list of this.workers.values()) list.length = 0;
  }
}
