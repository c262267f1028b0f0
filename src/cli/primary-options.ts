/**
 * The server's command-line options: what commander parses (`PrimaryCliOptions`), the parsers of
 * the values only the server takes, and what the options become for `runPrimary` once the checks
 * that involve several of them have passed.
 */
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { PrimaryOptions } from '../cluster/primary-process.js';
import type { AddressLimitOptions } from '../hub/address-limits.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log.js';
import { NODE_NAME_PATTERN } from '../multihost/names.js';
import { DEFAULT_LIMITS, type SessionLimits } from '../server/limits.js';
import { resolveAdminToken } from './admin-token.js';
import { parsePositiveInteger } from './parsers.js';
import { loadTlsFiles } from './tls-files.js';

/** What commander parses: every limit, and more. */
export interface PrimaryCliOptions extends SessionLimits, AddressLimitOptions {
  workers: number;
  host: string;
  port: number;
  httpPort: number | undefined;
  http: boolean;
  maxFrame: number | undefined;
  httpTimeout: number;
  maxClients: number;
  history: number;
  dataDir: string;
  persist: boolean;
  adminToken: string;
  adminTokenFile: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  shutdownTimeout: number;
  heartbeatTimeout: number;
  logLevel: LogLevel;
  nats?: string[];
  natsReplicas: number;
  nodeName?: string;
}

/** A cluster of 3 or 5 NATS servers is the usual; JetStream allows up to 5 replicas. */
const MAX_NATS_REPLICAS = 5;

export function parseNatsUrls(value: string): string[] {
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  if (urls.length === 0 || urls.some((url) => /\s/.test(url))) {
    throw new InvalidArgumentError('must be one or more NATS server URLs, comma-separated (nats://host:4222)');
  }
  return urls;
}

export function parseReplicas(value: string): number {
  const replicas = parsePositiveInteger(value);
  if (replicas > MAX_NATS_REPLICAS) throw new InvalidArgumentError(`must be from 1 to ${MAX_NATS_REPLICAS}`);
  return replicas;
}

export function parseNodeName(value: string): string {
  if (!NODE_NAME_PATTERN.test(value)) throw new InvalidArgumentError('must be 1-64 of A-Z a-z 0-9 _ -');
  return value;
}

/** This machine's name and the port (the pid for port 0): unique among hosts on distinct machines or ports. */
function defaultNodeName(port: number): string {
  const machine =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 40) || 'host';
  return `${machine}-${port === 0 ? `pid${process.pid}` : port}`;
}

/**
 * At most 64 workers, whatever the machine. Each is a whole Node process (46 MiB of RSS idle,
 * measured) that the primary copies every broadcast to, so workers beyond the CPU count add
 * cost, not throughput; 64 covers a 64-core host and caps a typo (`--workers 1000`) at about
 * 3 GiB. A bound fixed rather than a multiple of the CPU count, so the same command line or PM2
 * file is valid or refused the same way on every machine.
 */
export const MAX_WORKERS = 64;

export function parseWorkers(value: string): number {
  if (value === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const workers = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || workers < 1 || workers > MAX_WORKERS) {
    throw new InvalidArgumentError(
      `must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per CPU: ${availableParallelism()} here)`,
    );
  }
  return workers;
}

/** A ping timeout shorter than the interval would drop a quiet client before it is even pinged. */
function checkPingTimes(options: PrimaryCliOptions): void {
  if (options.pingTimeout >= options.pingInterval) return;
  const inSeconds = (ms: number) => `${ms / 1000} s`;
  throw new Error(
    `--ping-timeout (${inSeconds(options.pingTimeout)}) must not be shorter than --ping-interval ` +
      `(${inSeconds(options.pingInterval)}); raise --ping-timeout too`,
  );
}

export function parseLogLevel(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

export const DEFAULT_HTTP_PORT = 7080;
export const DEFAULT_HTTP_TIMEOUT = 10_000;
const DEFAULT_MAX_FRAME = 64 * 1024;

/** A WebSocket message must hold a longest line and its CR LF: a long line then gets TOO_LONG, as on TCP. */
function checkMaxFrame(maxFrame: number | undefined, maxLine: number): number {
  const least = maxLine + 2;
  if (maxFrame === undefined) return Math.max(DEFAULT_MAX_FRAME, least);
  if (maxFrame < least) throw new Error(`--max-frame must be at least --max-line + 2 (${least})`);
  return maxFrame;
}

/**
 * What the options mean for `runPrimary`: the checks across options, the operator token and the
 * TLS files read, the defaults that depend on other options filled in. Throws one clear line.
 */
export function resolvePrimaryOptions(options: PrimaryCliOptions): PrimaryOptions {
  checkPingTimes(options);
  const adminToken = resolveAdminToken(options);
  const tls = loadTlsFiles(options);
  return {
    workers: options.workers,
    host: options.host,
    port: options.port,
    httpPort: options.http ? (options.httpPort ?? (options.port === 0 ? 0 : DEFAULT_HTTP_PORT)) : undefined,
    http: {
      maxFrame: checkMaxFrame(options.maxFrame, options.maxLine),
      requestTimeout: options.httpTimeout,
      maxConnections: options.maxClients,
    },
    limits: {
      ...DEFAULT_LIMITS,
      maxLine: options.maxLine,
      rateLimit: options.rateLimit,
      rateBurst: options.rateBurst,
      pingInterval: options.pingInterval,
      pingTimeout: options.pingTimeout,
      softQueue: Math.max(1, Math.min(options.softQueue, Math.floor(options.maxQueue / 2))),
      maxQueue: options.maxQueue,
      registerTimeout: options.registerTimeout,
    },
    maxClients: options.maxClients,
    addressLimits: {
      maxClientsPerIp: options.maxClientsPerIp,
      connectRate: options.connectRate,
      connectBurst: options.connectBurst,
      ipRateLimit: options.ipRateLimit,
      ipRateBurst: options.ipRateBurst,
    },
    adminToken,
    tls,
    history: options.history,
    dataDir: options.persist ? path.resolve(options.dataDir) : undefined,
    shutdownTimeout: options.shutdownTimeout,
    heartbeatTimeout: options.heartbeatTimeout,
    logLevel: options.logLevel,
    nats:
      options.nats === undefined
        ? undefined
        : {
            servers: options.nats,
            replicas: options.natsReplicas,
            nodeName: options.nodeName ?? defaultNodeName(options.port),
          },
  };
}
