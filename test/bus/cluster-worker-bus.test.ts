/** The worker's end of the bus, with a fake send function for the IPC channel and fake connections. */
import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import test from 'ava';
import sinon from 'sinon';
import {
  ClusterWorkerBus,
  type WorkerConnections,
  type WorkerHttp,
  type WorkerMetricsSource,
} from '../../src/bus/cluster-worker-bus.js';
import {
  MAX_MESSAGE_CHARS,
  type Delivery,
  type HubRequest,
  type LogLine,
  type MetricsSnapshot,
  type WorkerMessage,
} from '../../src/bus/messages.js';
import type { Logger } from '../../src/log.js';

class FakeConnections implements WorkerConnections {
  size = 0;
  readonly calls: string[] = [];
  readonly applied: Delivery[][] = [];
  #onDrained: (() => void) | undefined;
  /** Sends when the connections close during a drain, as sessions do. */
  closeRequests: HubRequest[] = [];
  bus: ClusterWorkerBus | undefined;

  init(epoch: string, lastSeq: number): void {
    this.calls.push(`init ${epoch} ${lastSeq}`);
  }
  seed(text: string, first: number, last: number): void {
    this.calls.push(`seed ${first}-${last} ${text.length}`);
  }
  accept(): void {
    this.calls.push('accept');
  }
  apply(batch: readonly Delivery[]): void {
    this.applied.push([...batch]);
  }
  drain(bye: string, leaveReason: string, done: () => void): void {
    this.calls.push(`drain ${bye} / ${leaveReason}`);
    this.#onDrained = done;
  }
  /** The last connection closes: its close request is queued, then the drain completes. */
  closeLast(request: HubRequest): void {
    this.bus?.request(request);
    this.#onDrained?.();
  }
}

/** The worker's metrics: made on demand, an empty snapshot. */
class FakeMetrics implements WorkerMetricsSource {
  prepared = 0;
  prepare(): void {
    this.prepared++;
  }
  snapshot(): Promise<MetricsSnapshot> {
    return Promise.resolve([]);
  }
}

/** The HTTP side: what it is asked is noted among the connections' calls, in order. */
class FakeHttp implements WorkerHttp {
  readonly #calls: string[];
  constructor(calls: string[]) {
    this.#calls = calls;
  }
  accept(): void {
    this.#calls.push('http accept');
  }
  drain(): void {
    this.#calls.push('http drain');
  }
}

function setup(channel = { connected: true, failSends: false }) {
  const sent: WorkerMessage[] = [];
  const warnings: string[] = [];
  const unsent: LogLine[] = [];
  const log: Logger = {
    error() {},
    warn: (message) => {
      warnings.push(message);
    },
    info() {},
    debug() {},
  };
  const bus = new ClusterWorkerBus({
    send: (message, callback) => {
      if (channel.failSends) {
        process.nextTick(callback, new Error('channel closed'));
        return false;
      }
      sent.push(message);
      return true;
    },
    heartbeatInterval: 1_000,
    pid: 4242,
    connected: () => channel.connected,
    metricsTimeout: 3_000,
    log,
    unsentLog: (line) => unsent.push(line),
  });
  const connections = new FakeConnections();
  connections.bus = bus;
  return {
    bus,
    sent,
    connections,
    http: new FakeHttp(connections.calls),
    metrics: new FakeMetrics(),
    warnings,
    unsent,
  };
}

test.serial('says hello when opened, then a heartbeat every interval from a timer', (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => {
    clock.restore();
  });
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  t.deepEqual(sent, [{ type: 'hello' }]);
  clock.tick(3_000);
  t.deepEqual(sent, [{ type: 'hello' }, { type: 'heartbeat' }, { type: 'heartbeat' }, { type: 'heartbeat' }]);
});

test('the requests of one turn go to the primary as one message, in order', async (t) => {
  const { bus, sent } = setup();
  bus.request({ type: 'open', conn: 1, address: '192.0.2.1' });
  bus.request({ type: 'register', conn: 1, nick: 'alice' });
  bus.request({ type: 'msg', conn: 1, text: 'hi' });
  t.deepEqual(sent, []);
  await nextTurn();
  bus.request({ type: 'users', conn: 1 });
  await nextTurn();
  t.deepEqual(sent, [
    {
      type: 'requests',
      batch: [
        { type: 'open', conn: 1, address: '192.0.2.1' },
        { type: 'register', conn: 1, nick: 'alice' },
        { type: 'msg', conn: 1, text: 'hi' },
      ],
    },
    { type: 'requests', batch: [{ type: 'users', conn: 1 }] },
  ]);
});

test('init sets the starting seq, then the worker reports ready with its pid', (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'init', epoch: 'e1', lastSeq: 41, serving: true }, undefined);
  t.deepEqual(connections.calls, ['init e1 41']);
  t.deepEqual(sent.at(-1), { type: 'ready', pid: 4242 });
});

test('the seed after init goes to the connections, before any delivery', (t) => {
  const { bus, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'init', epoch: 'e1', lastSeq: 41, serving: true }, undefined);
  bus.receive({ type: 'seed', text: 'MSG 40 t a hi\nMSG 41 t a ho\n', first: 40, last: 41 }, undefined);
  t.deepEqual(connections.calls, ['init e1 41', 'seed 40-41 28']);
});

test('the requests of one turn whose texts pass MAX_MESSAGE_CHARS go as several messages, in order', async (t) => {
  const { bus, sent } = setup();
  const text = 'x'.repeat(MAX_MESSAGE_CHARS / 2);
  for (let conn = 1; conn <= 3; conn++) bus.request({ type: 'msg', conn, text });
  await nextTurn();
  t.deepEqual(
    sent.map((message) => (message.type === 'requests' ? message.batch.map((request) => request.conn) : [])),
    [[1, 2], [3]],
  );
});

test('deliveries are applied as they come, batch by batch', (t) => {
  const { bus, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  const batch: Delivery[] = [{ type: 'all', text: 'MSG 1 t a hi\n', seq: 1 }];
  bus.receive({ type: 'deliveries', batch }, undefined);
  t.deepEqual(connections.applied, [batch]);
});

test('a connection message without a socket is not accepted, but acknowledged all the same', (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'connection', port: 'chat' }, undefined);
  t.deepEqual(connections.calls, []);
  t.deepEqual(sent.at(-1), { type: 'accepted' }, 'the primary counts hand-offs, whatever came with them');
});

test('every connection handed over is acknowledged at once, after it is accepted', (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  const socket = new net.Socket();
  t.teardown(() => socket.destroy());
  bus.receive({ type: 'connection', port: 'chat' }, socket);
  bus.receive({ type: 'connection', port: 'chat' }, socket);
  t.deepEqual(connections.calls, ['accept', 'accept']);
  t.deepEqual(sent.slice(-2), [{ type: 'accepted' }, { type: 'accepted' }], 'not held for the next turn');
});

test('a connection goes to the side of the port it came in on: chat/1 or HTTP', (t) => {
  const { bus, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'connection', port: 'http' }, new net.Socket());
  bus.receive({ type: 'connection', port: 'chat' }, new net.Socket());
  t.deepEqual(connections.calls, ['http accept', 'accept']);
});

test('drain: BYE to everyone, and drained is reported after the last close requests, not before', async (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'drain', reason: 'server shutting down' }, undefined);
  t.deepEqual(connections.calls, ['http drain', 'drain server shutting down / server shutting down']);
  t.false(bus.drained);
  connections.closeLast({ type: 'close', conn: 1, reason: 'server shutting down' });
  await nextTurn();
  await nextTurn();
  t.deepEqual(sent.slice(1), [
    { type: 'requests', batch: [{ type: 'close', conn: 1, reason: 'server shutting down' }] },
    { type: 'drained' },
  ]);
  t.true(bus.drained);
});

test('a message of unknown form is ignored with a warning', (t) => {
  const { bus, connections, http, metrics, warnings } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'reboot' }, undefined);
  bus.receive('deliveries', undefined);
  t.deepEqual(connections.calls, []);
  t.is(warnings.length, 2);
});

test('log lines go to the primary once per turn, after the requests of that turn', async (t) => {
  const { bus, sent } = setup();
  t.true(bus.forwardLog({ level: 'info', text: 'connection 1 from 127.0.0.1:5000' }));
  bus.request({ type: 'users', conn: 1 });
  t.true(bus.forwardLog({ level: 'warn', text: 'something' }));
  t.deepEqual(sent, [], 'nothing before the end of the turn');
  await nextTurn();
  t.deepEqual(sent, [
    { type: 'requests', batch: [{ type: 'users', conn: 1 }] },
    {
      type: 'log',
      lines: [
        { level: 'info', text: 'connection 1 from 127.0.0.1:5000' },
        { level: 'warn', text: 'something' },
      ],
    },
  ]);
});

test('without a primary a log line is refused, for the caller to write itself', (t) => {
  const { bus, sent } = setup({ connected: false, failSends: false });
  t.false(bus.forwardLog({ level: 'warn', text: 'lost the primary' }));
  t.deepEqual(sent, []);
});

test('log lines whose send fails (the primary died meanwhile) are handed back to be written here', async (t) => {
  const { bus, unsent } = setup({ connected: true, failSends: true });
  bus.forwardLog({ level: 'info', text: 'draining 1 connection' });
  await nextTurn();
  await new Promise<void>((resolve) => {
    process.nextTick(resolve);
  });
  t.deepEqual(unsent, [{ level: 'info', text: 'draining 1 connection' }]);
});

test('init: the metrics registry is made after ready, off the way to the first connection', async (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'init', epoch: 'e1', lastSeq: 0, serving: true }, undefined);
  t.deepEqual(sent.at(-1), { type: 'ready', pid: 4242 });
  t.is(metrics.prepared, 0);
  await nextTurn();
  t.is(metrics.prepared, 1);
});

test("metrics: a collect is answered with this worker's own metrics under the same id", async (t) => {
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  bus.receive({ type: 'metrics-collect', id: 7 }, undefined);
  await nextTurn();
  t.deepEqual(sent.at(-1), { type: 'metrics-report', id: 7, metrics: [] });
});

test.serial('metrics: a page is asked of the primary, matched by id, and given up after the timeout', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => {
    clock.restore();
  });
  const { bus, sent, connections, http, metrics } = setup();
  bus.open(connections, http, metrics);
  const first = bus.metricsPage();
  const second = bus.metricsPage();
  t.deepEqual(sent.slice(-2), [
    { type: 'metrics-request', id: 1 },
    { type: 'metrics-request', id: 2 },
  ]);
  const page = { contentType: 'text/plain', body: 'clusterchat_workers 2\n' };
  bus.receive({ type: 'metrics-page', id: 2, page }, undefined);
  t.deepEqual(await second, page);
  clock.tick(3_000);
  await t.throwsAsync(first, { message: 'the primary did not answer' });
});
