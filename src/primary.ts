#!/usr/bin/env node
/**
 * Entry point of the server: parses the command line and runs the primary, which forks the
 * workers and is the hub of the cluster.
 */
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveAdminToken } from './cli/admin-token.js';
import { parsePort, parsePositiveInteger, parsePositiveNumber, parseSeconds } from './cli/parsers.js';
import { loadTlsFiles } from './cli/tls-files.js';
import { createStatus } from './cli/status.js';
import { readVersion } from './cli/version.js';
import { runPrimary } from './cluster/primary-process.js';
import { DEFAULT_ADDRESS_LIMITS, type AddressLimitOptions } from './hub/address-limits.js';
import { createLogger, isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';
import { NODE_NAME_PATTERN } from './multihost/names.js';
import { DEFAULT_LIMITS, type SessionLimits } from './server/limits.js';

/** What commander parses: every limit, and more. */
interface PrimaryCliOptions extends SessionLimits, AddressLimitOptions {
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

function parseNatsUrls(value: string): string[] {
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  if (urls.length === 0 || urls.some((url) => /\s/.test(url))) {
    throw new InvalidArgumentError('must be one or more NATS server URLs, comma-separated (nats://host:4222)');
  }
  return urls;
}

function parseReplicas(value: string): number {
  const replicas = parsePositiveInteger(value);
  if (replicas > MAX_NATS_REPLICAS) throw new InvalidArgumentError(`must be from 1 to ${MAX_NATS_REPLICAS}`);
  return replicas;
}

function parseNodeName(value: string): string {
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
const MAX_WORKERS = 64;

function parseWorkers(value: string): number {
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

function parseLogLevel(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

const DEFAULT_HTTP_PORT = 7080;
const DEFAULT_HTTP_TIMEOUT = 10_000;
const DEFAULT_MAX_FRAME = 64 * 1024;

/** A WebSocket message must hold a longest line and its CR LF: a long line then gets TOO_LONG, as on TCP. */
function checkMaxFrame(maxFrame: number | undefined, maxLine: number): number {
  const least = maxLine + 2;
  if (maxFrame === undefined) return Math.max(DEFAULT_MAX_FRAME, least);
  if (maxFrame < least) throw new Error(`--max-frame must be at least --max-line + 2 (${least})`);
  return maxFrame;
}

function createPrimaryCommand(): Command {
  const seconds = (ms: number) => String(ms / 1000);
  return new Command('clusterchat')
    .description('Start the chat server: a primary process that forks N workers sharing one TCP port.')
    .version(readVersion())
    .addOption(
      new Option('-w, --workers <n|auto>', `worker processes, 1 to ${MAX_WORKERS} ("auto": one per CPU)`)
        .env('CHAT_WORKERS')
        .default(4)
        .argParser(parseWorkers),
    )
    .addOption(new Option('-H, --host <host>', 'address to listen on').env('CHAT_HOST').default('127.0.0.1'))
    .addOption(
      new Option('-p, --port <port>', 'TCP port (0 picks a free one and prints it)')
        .env('CHAT_PORT')
        .default(7000)
        .argParser(parsePort),
    )
    .addOption(
      new Option(
        '--http-port <port>',
        `HTTP port: web client, /ws, /healthz, /metrics (default: ${DEFAULT_HTTP_PORT}; a free one when --port is 0)`,
      )
        .env('CHAT_HTTP_PORT')
        .argParser(parsePort),
    )
    .addOption(new Option('--no-http', 'no HTTP port: TCP chat/1 only'))
    .addOption(
      new Option('--max-line <bytes>', 'longest accepted line')
        .default(DEFAULT_LIMITS.maxLine)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--rate-limit <lines>', 'lines per second per connection')
        .default(DEFAULT_LIMITS.rateLimit)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--rate-burst <lines>', 'burst of lines per connection')
        .default(DEFAULT_LIMITS.rateBurst)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--ping-interval <seconds>', 'silence before the server sends PING')
        .default(DEFAULT_LIMITS.pingInterval, seconds(DEFAULT_LIMITS.pingInterval))
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--ping-timeout <seconds>', 'silence before BYE ping timeout (>= --ping-interval)')
        .default(DEFAULT_LIMITS.pingTimeout, seconds(DEFAULT_LIMITS.pingTimeout))
        .argParser(parseSeconds),
    )
    .addOption(
      new Option(
        '--soft-queue <bytes>',
        "unsent output above which a connection's commands wait (at most half of --max-queue)",
      )
        .default(DEFAULT_LIMITS.softQueue)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--max-queue <bytes>', 'output queued for one connection before BYE slow consumer')
        .default(DEFAULT_LIMITS.maxQueue)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option(
        '--max-frame <bytes>',
        'longest WebSocket message (default: 65536, at least --max-line + 2)',
      ).argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--http-timeout <seconds>', 'time for an HTTP request to arrive whole')
        .default(DEFAULT_HTTP_TIMEOUT, seconds(DEFAULT_HTTP_TIMEOUT))
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--max-clients <n>', 'connections for the whole server')
        .default(10_000)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--max-clients-per-ip <n>', 'connections from one address (IPv6: one /64), server-wide')
        .default(DEFAULT_ADDRESS_LIMITS.maxClientsPerIp)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--connect-rate <conns/s>', 'new connections per second from one address')
        .default(DEFAULT_ADDRESS_LIMITS.connectRate)
        .argParser(parsePositiveNumber),
    )
    .addOption(
      new Option('--connect-burst <n>', 'new connections from one address at once')
        .default(DEFAULT_ADDRESS_LIMITS.connectBurst)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--ip-rate-limit <events/s>', 'public events (MSG, JOIN, LEAVE, ANNOUNCE) per second from one address')
        .default(DEFAULT_ADDRESS_LIMITS.ipRateLimit)
        .argParser(parsePositiveNumber),
    )
    .addOption(
      new Option('--ip-rate-burst <n>', 'burst of public events from one address')
        .default(DEFAULT_ADDRESS_LIMITS.ipRateBurst)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--register-timeout <seconds>', 'time a connection has to REGISTER before BYE registration timeout')
        .default(DEFAULT_LIMITS.registerTimeout, seconds(DEFAULT_LIMITS.registerTimeout))
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--history <n>', 'public events kept for HISTORY').default(1000).argParser(parsePositiveInteger),
    )
    .addOption(new Option('--data-dir <dir>', 'where history.jsonl is kept').env('CHAT_DATA_DIR').default('./data'))
    .addOption(new Option('--no-persist', 'keep the history in memory only (a restart starts a new epoch)'))
    .addOption(
      new Option('--admin-token-file <path>', 'file holding the operator token for AUTH (at least 16 characters)'),
    )
    .addOption(
      new Option(
        '--admin-token <token>',
        'the operator token itself (visible to every local user: prefer the file or the env)',
      )
        .env('CHAT_ADMIN_TOKEN')
        .default('', 'none: AUTH always fails'),
    )
    .addOption(
      new Option(
        '--tls-cert <file>',
        'PEM certificate (chain): the chat port speaks TLS only, the HTTP port https and wss only',
      ),
    )
    .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert, without a passphrase'))
    .addOption(
      new Option('--shutdown-timeout <seconds>', 'time for a graceful shutdown before it is forced')
        .default(5_000, '5')
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--heartbeat-timeout <seconds>', 'silence after which a worker counts as hung and is replaced')
        .default(5_000, '5')
        .argParser(parseSeconds),
    )
    .addOption(
      new Option(
        '--nats <url[,url…]>',
        'be one host of a multi-host chat whose state is in NATS JetStream at these servers',
      )
        .env('CHAT_NATS')
        .argParser(parseNatsUrls),
    )
    .addOption(
      new Option('--nats-replicas <n>', 'replicas of the streams this host creates (3 for a 3-node NATS cluster)')
        .default(1)
        .argParser(parseReplicas),
    )
    .addOption(
      new Option('--node-name <name>', "this host's name, unique among the hosts (default: machine name and port)")
        .env('CHAT_NODE')
        .argParser(parseNodeName),
    )
    .addOption(
      new Option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`)
        .env('CHAT_LOG_LEVEL')
        .default('info')
        .argParser(parseLogLevel),
    )
    .addHelpText(
      'after',
      '\nSignals: SIGINT/SIGTERM shut down gracefully (twice: at once); SIGHUP restarts the workers one by one.',
    )
    .action(async (options: PrimaryCliOptions) => {
      checkPingTimes(options);
      const adminToken = resolveAdminToken(options);
      const tls = loadTlsFiles(options);
      // Only the hub checks AUTH: the workers, which inherit our environment, need not hold the token.
      delete process.env.CHAT_ADMIN_TOKEN;
      const log = createLogger('primary', options.logLevel);
      await runPrimary(
        {
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
        },
        createStatus(),
        log,
      );
    });
}

createPrimaryCommand()
  .parseAsync()
  .catch((error: unknown) => {
    console.error(`clusterchat: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    process.exit();
  });
