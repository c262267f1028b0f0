/** Options are checked where they are used: a wrong value fails at once and names the option. */
import test from 'ava';
import { ClusterHubBus } from '../src/bus/cluster-hub-bus.js';
import { Supervisor } from '../src/cluster/supervisor.js';
import { AddressLimits, DEFAULT_ADDRESS_LIMITS } from '../src/hub/address-limits.js';
import { AdmittedConnections } from '../src/hub/admitted-connections.js';
import { HistoryRing } from '../src/hub/history-ring.js';
import type { Logger } from '../src/log.js';
import { InvalidOptionError } from '../src/option-checks.js';
import { TokenBucket } from '../src/protocol/token-bucket.js';
import { checkSessionLimits, DEFAULT_LIMITS } from '../src/server/limits.js';
import { parseWorkerConfig } from '../src/server/worker-config.js';
import { failedStart } from './helpers/server.js';

const HTTP_LIMITS = { maxFrame: 65_536, requestTimeout: 10_000, maxConnections: 100 };

const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };

const supervisorOptions = {
  workers: 2,
  workerPath: '/nonexistent/worker.js',
  workerConfig: {
    limits: DEFAULT_LIMITS,
    history: 1000,
    logLevel: 'info' as const,
    heartbeatInterval: 1_000,
    tls: undefined,
    http: HTTP_LIMITS,
  },
  link: () => {
    throw new Error('no worker is forked in this test');
  },
  log: quiet,
  watchInterval: 1_000,
  heartbeatTimeout: 4_000,
  drainTimeout: 5_000,
};

const cases: Array<[string, () => unknown, RegExp]> = [
  [
    'a history ring of 0 events (it would compute % 0)',
    () => new HistoryRing(0),
    /^capacity must be a positive whole number, not 0$/,
  ],
  ['a history ring of 2.5 events', () => new HistoryRing(2.5), /^capacity /],
  ['a token bucket refilling at 0 per second', () => new TokenBucket(0, 10), /^rate must be a positive number, not 0$/],
  ['a token bucket with a NaN burst', () => new TokenBucket(1, Number.NaN), /^burst /],
  ['a hub bus with no backlog allowed', () => new ClusterHubBus({ maxBacklog: 0, log: quiet }), /^maxBacklog /],
  ['a supervisor of 0 workers', () => new Supervisor({ ...supervisorOptions, workers: 0 }), /^workers /],
  [
    'a supervisor watching every 0 ms',
    () => new Supervisor({ ...supervisorOptions, watchInterval: 0 }),
    /^watchInterval /,
  ],
  [
    'a supervisor with a negative heartbeat timeout',
    () => new Supervisor({ ...supervisorOptions, heartbeatTimeout: -1 }),
    /^heartbeatTimeout /,
  ],
  [
    'a supervisor with an infinite drain timeout',
    () => new Supervisor({ ...supervisorOptions, drainTimeout: Infinity }),
    /^drainTimeout /,
  ],
  ['a server of 0 clients', () => new AdmittedConnections(0, DEFAULT_ADDRESS_LIMITS, Date.now), /^maxClients /],
  [
    '0 connections per address',
    () => new AddressLimits({ ...DEFAULT_ADDRESS_LIMITS, maxClientsPerIp: 0 }),
    /^maxClientsPerIp /,
  ],
  ['a negative connect rate', () => new AddressLimits({ ...DEFAULT_ADDRESS_LIMITS, connectRate: -5 }), /^connectRate /],
  [
    'a public-event budget of 0 per second',
    () => new AddressLimits({ ...DEFAULT_ADDRESS_LIMITS, ipRateLimit: 0 }),
    /^ipRateLimit /,
  ],
  ['a line limit of 0 bytes', () => checkSessionLimits({ ...DEFAULT_LIMITS, maxLine: 0 }), /^maxLine /],
  [
    'a queue bound given as text',
    () => checkSessionLimits({ ...DEFAULT_LIMITS, maxQueue: '1024' }),
    /^maxQueue .*not "1024"$/,
  ],
  [
    'a missing register timeout',
    () => checkSessionLimits({ ...DEFAULT_LIMITS, registerTimeout: undefined }),
    /^registerTimeout /,
  ],
  [
    'a ping timeout shorter than the ping interval',
    () => checkSessionLimits({ ...DEFAULT_LIMITS, pingInterval: 30_000, pingTimeout: 10_000 }),
    /^pingTimeout \(10000 ms\) must not be shorter than pingInterval \(30000 ms\)$/,
  ],
  ['a worker config that is not JSON', () => parseWorkerConfig('{limits'), /^CHAT_WORKER_CONFIG must be JSON/],
  ['a worker config that is an array', () => parseWorkerConfig('[]'), /^CHAT_WORKER_CONFIG must be an object/],
  [
    'a worker config with an unknown log level',
    () => parseWorkerConfig(JSON.stringify({ limits: DEFAULT_LIMITS, logLevel: 'loud', heartbeatInterval: 1_000 })),
    /^logLevel must be one of error, warn, info, debug, not "loud"$/,
  ],
  [
    'a worker config without its heartbeat interval',
    () => parseWorkerConfig(JSON.stringify({ limits: DEFAULT_LIMITS, logLevel: 'info' })),
    /^heartbeatInterval /,
  ],
  [
    'a worker config without the size of its history ring',
    () => parseWorkerConfig(JSON.stringify({ limits: DEFAULT_LIMITS, logLevel: 'info', heartbeatInterval: 1 })),
    /^history /,
  ],
  [
    'a worker config whose limits lack a field',
    () => parseWorkerConfig(JSON.stringify({ limits: { maxLine: 10 }, logLevel: 'info', heartbeatInterval: 1 })),
    /^rateLimit /,
  ],
  [
    'a worker config whose HTTP limits lack a field',
    () =>
      parseWorkerConfig(
        JSON.stringify({
          limits: DEFAULT_LIMITS,
          logLevel: 'info',
          heartbeatInterval: 1,
          history: 10,
          http: { requestTimeout: 1 },
        }),
      ),
    /^maxFrame /,
  ],
  [
    'a worker config with a TLS key that is not text',
    () =>
      parseWorkerConfig(
        JSON.stringify({ limits: DEFAULT_LIMITS, logLevel: 'info', heartbeatInterval: 1, tls: { cert: 'x', key: 7 } }),
      ),
    /^tls must hold a PEM cert and key$/,
  ],
];

for (const [title, make, message] of cases) {
  test(`rejects ${title}, naming the option`, (t) => {
    const error = t.throws(make, { instanceOf: InvalidOptionError });
    t.regex(error.message, message);
  });
}

test('a well-formed worker config comes back as it was sent', (t) => {
  const config = {
    limits: DEFAULT_LIMITS,
    logLevel: 'debug',
    heartbeatInterval: 250,
    tls: { cert: 'c', key: 'k' },
    history: 1000,
    http: HTTP_LIMITS,
  };
  t.deepEqual(parseWorkerConfig(JSON.stringify(config)), config);
  t.deepEqual(parseWorkerConfig(JSON.stringify({ ...config, tls: undefined })), { ...config, tls: undefined });
});

test('the server refuses a --ping-timeout shorter than --ping-interval, naming both, instead of raising it', async (t) => {
  const failed = await failedStart(['--ping-interval', '30', '--ping-timeout', '10']);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /--ping-timeout \(10 s\) must not be shorter than --ping-interval \(30 s\)/);
  t.is(failed.stdout, '', 'nothing started');
});
