/**
 * A worker's metrics (prom-client): its connections by transport, the lines it delivered, and
 * Node's default process metrics. The primary gathers them from every worker for `/metrics`.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { TransportKind } from '../server/connection-table.js';

/** What the metrics read from the worker's connection table, at each scrape. */
export interface ConnectionCounts {
  count(kind: TransportKind): number;
  /** Lines of public events and DMs written to clients so far (an event counts once per recipient). */
  readonly delivered: number;
}

export function createWorkerMetrics(connections: ConnectionCounts): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'clusterchat_connections',
    help: 'Open chat/1 connections, by transport (tcp: the chat port; ws: WebSocket on the HTTP port).',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      for (const transport of ['tcp', 'ws'] as const) this.set({ transport }, connections.count(transport));
    },
  });
  let counted = 0;
  new Counter({
    name: 'clusterchat_deliveries_total',
    help: 'Lines written to clients: each public event once per registered recipient, each DM once.',
    registers: [registry],
    collect() {
      this.inc(connections.delivered - counted);
      counted = connections.delivered;
    },
  });
  return registry;
}
