/**
 * What the primary passes to every worker it forks, as JSON in `CHAT_WORKER_CONFIG`, and its
 * parsing in the worker: checked field by field, not cast, so a wrong value stops the worker at
 * start with the field's name instead of surfacing later as a NaN timer.
 */
import { LOG_LEVELS, type LogLevel } from '../log.js';
import type { HttpLimits } from '../http/http-front.js';
import {
  checkObject,
  checkOneOf,
  checkPositiveInteger,
  checkPositiveNumber,
  InvalidOptionError,
} from '../option-checks.js';
import { checkSessionLimits, type SessionLimits } from './limits.js';
import type { TlsCredentials } from './tls-socket.js';

export interface WorkerConfig {
  limits: SessionLimits;
  /** Public events kept for HISTORY (`--history`). */
  history: number;
  /** The HTTP side's limits (`--max-frame`, `--http-timeout`, `--max-clients`). */
  http: HttpLimits;
  logLevel: LogLevel;
  /** Milliseconds between two heartbeats to the primary. */
  heartbeatInterval: number;
  /** With TLS: the certificate and key the primary read and checked at start. */
  tls: TlsCredentials | undefined;
}

export function parseWorkerConfig(json: string): WorkerConfig {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new InvalidOptionError('CHAT_WORKER_CONFIG', `must be JSON: ${(error as Error).message}`);
  }
  const config = checkObject('CHAT_WORKER_CONFIG', value);
  return {
    limits: checkSessionLimits(config.limits),
    logLevel: checkOneOf('logLevel', config.logLevel, LOG_LEVELS),
    heartbeatInterval: checkPositiveNumber('heartbeatInterval', config.heartbeatInterval),
    tls: config.tls === undefined ? undefined : checkTlsCredentials(config.tls),
    history: checkPositiveInteger('history', config.history),
    http: checkHttpLimits(config.http),
  };
}

function checkHttpLimits(value: unknown): HttpLimits {
  const http = checkObject('http', value);
  return {
    maxFrame: checkPositiveInteger('maxFrame', http.maxFrame),
    requestTimeout: checkPositiveNumber('requestTimeout', http.requestTimeout),
    maxConnections: checkPositiveInteger('maxConnections', http.maxConnections),
  };
}

function checkTlsCredentials(value: unknown): TlsCredentials {
  const { cert, key } = checkObject('tls', value);
  if (typeof cert !== 'string' || typeof key !== 'string') {
    throw new InvalidOptionError('tls', 'must hold a PEM cert and key');
  }
  return { cert, key };
}
