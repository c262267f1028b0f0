/**
 * The typed messages between the primary (the hub) and the workers. Types are strings so they
 * read well in logs; `isWorkerMessage` / `isPrimaryMessage` drop anything else, and every switch
 * over them ends in `unhandled`.
 */
import type { LogLevel } from '../log.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** Worker → hub, about one of the worker's connections (`conn` is unique within the worker). */
export type HubRequest =
  /** A new connection; `address` is its `clientAddress()`, the key of per-address limits. */
  | { type: 'open'; conn: number; address: string }
  | { type: 'close'; conn: number; reason: string }
  | { type: 'register'; conn: number; nick: string }
  | { type: 'nick'; conn: number; nick: string }
  | { type: 'msg'; conn: number; text: string }
  | { type: 'dm'; conn: number; nick: string; text: string }
  | { type: 'users'; conn: number }
  | { type: 'auth'; conn: number; token: string }
  | { type: 'announce'; conn: number; text: string }
  | { type: 'kick'; conn: number; nick: string; reason: string }
  | { type: 'quit'; conn: number; reason: string };

/** Hub → worker, applied in order. Texts are complete wire lines, LF-terminated. */
export type Delivery =
  /** The connection is registered from now on: public events reach it. */
  | { type: 'enrol'; conn: number }
  /** Lines for every registered connection of the worker; `seq` is the last seq among them. */
  | { type: 'all'; text: string; seq: number }
  /**
   * The answer to the connection's oldest request still waiting for the hub. One longer than an
   * IPC message may carry comes in parts, all but the last with `more`.
   */
  | { type: 'reply'; conn: number; text: string; more?: boolean }
  /** An unsolicited line for one connection (a DM). */
  | { type: 'event'; conn: number; text: string }
  /** Unregister and close the connection, after `BYE <bye>` when `bye` is not empty. */
  | { type: 'drop'; conn: number; bye: string }
  /** Whether this host takes part in the chat (not while a multi-host host is fenced): `/healthz` tells. */
  | { type: 'serving'; serving: boolean };

/** Which of the primary's listening ports a connection came in on. */
export type ListenerKind = 'chat' | 'http';

/** A process's metrics as prom-client gives them (`getMetricsAsJSON`), to be merged by the primary. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** The text of `/metrics`, as the primary made it. */
export interface MetricsPage {
  contentType: string;
  body: string;
}

/** Everything a worker sends to the primary. */
export type WorkerMessage =
  /** The IPC handler is installed: the primary may talk now (the ready handshake). */
  | { type: 'hello' }
  /** The worker takes connections now. */
  | { type: 'ready'; pid: number }
  | { type: 'requests'; batch: HubRequest[] }
  /** Sent from a timer: only a blocked event loop stops it. */
  | { type: 'heartbeat' }
  /** A draining worker has closed its last connection. */
  | { type: 'drained' }
  /**
   * The worker has taken the oldest connection handed to it that it had not acknowledged yet: a
   * worker that stops taking them (stopped, stuck) is handed no more.
   */
  | { type: 'accepted' }
  /** Log lines, written by the primary (see `forwardingLogger` in log.ts); batched per turn. */
  | { type: 'log'; lines: LogLine[] }
  /** The worker's HTTP side was asked for `/metrics`: the primary answers with `metrics-page`. */
  | { type: 'metrics-request'; id: number }
  /** The answer to `metrics-collect`: this worker's own metrics. */
  | { type: 'metrics-report'; id: number; metrics: MetricsSnapshot };

/** One log line of a worker, without its time: the primary stamps it as it writes it. */
export interface LogLine {
  level: LogLevel;
  text: string;
}

/**
 * The most text one IPC message carries (about 1 MiB: 2 MiB of JSON at worst): larger output is
 * cut into several messages, so no message costs a multi-megabyte JSON string to send or read.
 */
export const MAX_MESSAGE_CHARS = 1024 * 1024;

/** Everything the primary sends to a worker. */
export type PrimaryMessage =
  | { type: 'init'; epoch: string; lastSeq: number; serving: boolean }
  /** Right after init: the retained events `first`..`last` (wire lines), for the worker's HISTORY. */
  | { type: 'seed'; text: string; first: number; last: number }
  /** Sent with a socket handle: a connection for this worker to serve, from the chat/1 port or the HTTP port. */
  | { type: 'connection'; port: ListenerKind }
  | { type: 'deliveries'; batch: Delivery[] }
  /** Say `BYE <reason>` to every client, close them, then report `drained`. */
  | { type: 'drain'; reason: string }
  /** Send your own metrics back (`metrics-report` with the same id). */
  | { type: 'metrics-collect'; id: number }
  /** The answer to `metrics-request`: the metrics of the whole server. */
  | { type: 'metrics-page'; id: number; page: MetricsPage };

const WORKER_TYPES: ReadonlySet<string> = new Set([
  'hello',
  'ready',
  'requests',
  'heartbeat',
  'drained',
  'accepted',
  'log',
  'metrics-request',
  'metrics-report',
]);
const PRIMARY_TYPES: ReadonlySet<string> = new Set([
  'init',
  'seed',
  'connection',
  'deliveries',
  'drain',
  'metrics-collect',
  'metrics-page',
]);

function hasType(value: unknown, types: ReadonlySet<string>): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    types.has((value as { type: string }).type)
  );
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasType(value, WORKER_TYPES);
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return hasType(value, PRIMARY_TYPES);
}

/**
 * The `default` of every switch over message types: with `never` as its parameter, a type left
 * out of the switch fails to compile instead of being dropped silently.
 */
export function unhandled(message: never): never {
  throw new Error(`unhandled bus message: ${JSON.stringify(message)}`);
}
