/**
 * The primary's metrics (prom-client): the workers alive and replaced, the public messages and
 * the history the hub holds, and Node's default process metrics for the primary itself.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { PublicEvent } from '../protocol/wire.js';

/** What the metrics read of the workers at each scrape (the `Supervisor`). */
export interface WorkerCounts {
  readonly readyWorkers: number;
  /** Workers forked to replace one (after a death, or in a rolling restart) so far. */
  readonly restarts: number;
}

/** What the metrics read of the history at each scrape (the `HistoryRing`). */
export interface HistoryCount {
  readonly size: number;
}

export class PrimaryMetrics {
  readonly registry = new Registry();
  readonly #messages: Counter;
  #workers: WorkerCounts = { readyWorkers: 0, restarts: 0 };

  constructor(history: HistoryCount) {
    const workers = () => this.#workers;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'clusterchat_workers',
      help: 'Live workers taking connections.',
      registers,
      collect() {
        this.set(workers().readyWorkers);
      },
    });
    let restarts = 0;
    new Counter({
      name: 'clusterchat_worker_restarts_total',
      help: 'Workers forked to replace another: after a death, a hang, or in a rolling restart.',
      registers,
      collect() {
        this.inc(workers().restarts - restarts);
        restarts = workers().restarts;
      },
    });
    new Gauge({
      name: 'clusterchat_history_events',
      help: 'Public events kept for HISTORY (at most --history).',
      registers,
      collect() {
        this.set(history.size);
      },
    });
    this.#messages = new Counter({
      name: 'clusterchat_messages_total',
      help: 'Public messages (MSG) sequenced by the hub.',
      registers,
    });
  }

  /** From now on the worker figures come from `workers` (made after the hub, which reports to us). */
  observe(workers: WorkerCounts): void {
    this.#workers = workers;
  }

  /** Every public event the hub publishes. */
  published(event: PublicEvent): void {
    if (event.type === 'MSG') this.#messages.inc();
  }
}
