/**
 * `/metrics` as one view over the whole server: the primary asks every live worker for its
 * metrics over the bus, waits for their answers (a worker that does not answer in time is left
 * out of this scrape), and merges them with its own with prom-client's
 * `AggregatorRegistry.aggregate` (counters and most gauges summed, as each metric declares).
 */
import { AggregatorRegistry, Gauge, type PrometheusContentType, type Registry } from 'prom-client';
import type { MetricsPage, MetricsSnapshot } from '../bus/messages.js';

/** Asks every worker for its metrics under a request id; returns the ids of the workers asked. */
export type AskWorkers = (requestId: number) => number[];

interface Gathering {
  waiting: Set<number>;
  snapshots: MetricsSnapshot[];
  done: () => void;
}

export class MetricsGatherer {
  readonly #own: Registry;
  readonly #ask: AskWorkers;
  readonly #timeoutMs: number;
  readonly #gatherings = new Map<number, Gathering>();
  #nextId = 1;

  constructor(own: Registry, ask: AskWorkers, timeoutMs: number) {
    this.#own = own;
    this.#ask = ask;
    this.#timeoutMs = timeoutMs;
  }

  /** The merged metrics of the primary and of every worker that answers in time. */
  async page(): Promise<MetricsPage> {
    const [own, snapshots] = await Promise.all([this.#own.getMetricsAsJSON(), this.#gather()]);
    const merged = AggregatorRegistry.aggregate<PrometheusContentType>([own, ...snapshots]);
    keepStartTime(own, merged);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  /** A worker's answer to `requestId`. */
  received(workerId: number, requestId: number, snapshot: MetricsSnapshot): void {
    const gathering = this.#gatherings.get(requestId);
    if (gathering === undefined || !gathering.waiting.delete(workerId)) return;
    gathering.snapshots.push(snapshot);
    if (gathering.waiting.size === 0) gathering.done();
  }

  #gather(): Promise<MetricsSnapshot[]> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const gathering: Gathering = {
        waiting: new Set(),
        snapshots: [],
        done: () => {
          clearTimeout(timer);
          this.#gatherings.delete(id);
          resolve(gathering.snapshots);
        },
      };
      const timer = setTimeout(gathering.done, this.#timeoutMs);
      this.#gatherings.set(id, gathering);
      for (const workerId of this.#ask(id)) gathering.waiting.add(workerId);
      if (gathering.waiting.size === 0) gathering.done();
    });
  }
}

/**
 * prom-client's aggregation omits `process_start_time_seconds` (start times do not add up); the
 * server started when its primary did, and a restart of it is what the metric is read for.
 */
function keepStartTime(own: MetricsSnapshot, merged: Registry): void {
  const startTime = own.find((metric) => metric.name === 'process_start_time_seconds');
  const value = startTime?.values[0]?.value;
  if (startTime === undefined || value === undefined) return;
  new Gauge({ name: startTime.name, help: startTime.help, registers: [merged] }).set(value);
}
