/**
 * The server's command line: every option, its default and its help text, as `--help` shows them
 * and the README lists them. What the options become is `resolvePrimaryOptions`' business.
 */
import { Command, Option } from 'commander';
import { DEFAULT_ADDRESS_LIMITS } from '../hub/address-limits.js';
import { LOG_LEVELS } from '../log.js';
import { DEFAULT_LIMITS } from '../server/limits.js';
import { parsePort, parsePositiveInteger, parsePositiveNumber, parseSeconds } from './parsers.js';
import {
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTP_TIMEOUT,
  MAX_WORKERS,
  parseLogLevel,
  parseNatsUrls,
  parseNodeName,
  parseReplicas,
  parseWorkers,
} from './primary-options.js';
import { readVersion } from './version.js';

/** The options and the help; the entry point adds the action. */
export function createPrimaryCommand(): Command {
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
    );
}
