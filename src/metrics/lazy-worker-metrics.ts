/**
 * A worker's metrics registry, made when the bus says the worker is ready: loading prom-client
 * (~50 ms here) stays out of a replacement worker's way to its first connection, and its process
 * counters still count nearly all of the worker's life.
 */
import type { Registry } from 'prom-client';
import type { MetricsSnapshot } from '../bus/messages.js';
import type { WorkerMetricsSource } from '../bus/cluster-worker-bus.js';
import type { Logger } from '../log.js';
import type { ConnectionCounts } from './worker-metrics.js';

export class LazyWorkerMetrics implements WorkerMetricsSource {
  readonly #connections: ConnectionCounts;
  readonly #log: Logger;
  #registry: Promise<Registry> | undefined;

  constructor(connections: ConnectionCounts, log: Logger) {
    this.#connections = connections;
    this.#log = log;
  }

  prepare(): void {
    this.#load().catch((error: unknown) => {
      this.#log.warn(`metrics: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  async snapshot(): Promise<MetricsSnapshot> {
    return (await this.#load()).getMetricsAsJSON();
  }

  #load(): Promise<Registry> {
    this.#registry ??= import('./worker-metrics.js').then(({ createWorkerMetrics }) =>
      createWorkerMetrics(this.#connections),
    );
    return this.#registry;
  }
}
