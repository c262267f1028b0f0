/** The hub's outlet on the primary, with a fake send function standing in for each worker's IPC channel. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import test from 'ava';
import { ClusterHubBus, type DeliveryLink } from '../../src/bus/cluster-hub-bus.js';
import { MAX_MESSAGE_CHARS, type Delivery, type PrimaryMessage } from '../../src/bus/messages.js';
import type { Logger } from '../../src/log.js';

const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** A worker's channel that records what is sent and completes each send when told to. */
class FakeLink implements DeliveryLink {
  readonly sent: Delivery[][] = [];
  readonly #pending: Array<() => void> = [];
  cuts = 0;

  readonly send = (message: PrimaryMessage, callback: (error: Error | null) => void): boolean => {
    if (message.type === 'deliveries') this.sent.push(message.batch);
    this.#pending.push(() => {
      callback(null);
    });
    return true;
  };

  readonly cut = (): void => {
    this.cuts++;
  };

  /** The worker takes everything off the pipe. */
  drainPipe(): void {
    for (const complete of this.#pending.splice(0)) complete();
  }
}

function all(seq: number): Delivery {
  return { type: 'all', text: `MSG ${seq} t alice hi\n`, seq };
}

test('broadcasts queued in one turn are joined into one delivery carrying the last seq', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 1_000_000, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  bus.toAll(all(1));
  bus.toAll(all(2));
  bus.toAll(all(3));
  await nextTurn();
  t.deepEqual(link.sent, [[{ type: 'all', text: `MSG 1 t alice hi\nMSG 2 t alice hi\nMSG 3 t alice hi\n`, seq: 3 }]]);
});

test('a delivery to one connection between broadcasts keeps its place: only neighbours are joined', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 1_000_000, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  bus.toAll(all(1));
  bus.toWorker(1, { type: 'reply', conn: 7, text: 'OK 1\n' });
  bus.toAll(all(2));
  bus.toAll(all(3));
  await nextTurn();
  t.deepEqual(link.sent, [
    [
      all(1),
      { type: 'reply', conn: 7, text: 'OK 1\n' },
      { type: 'all', text: `MSG 2 t alice hi\nMSG 3 t alice hi\n`, seq: 3 },
    ],
  ]);
});

test('no IPC message carries more than MAX_MESSAGE_CHARS of text: broadcasts are joined up to it, replies cut in parts', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 64 * MAX_MESSAGE_CHARS, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  const big = (seq: number): Delivery => ({ type: 'all', text: `${'x'.repeat(MAX_MESSAGE_CHARS / 2 - 1)}\n`, seq });
  for (let seq = 1; seq <= 5; seq++) bus.toAll(big(seq));
  bus.toWorker(1, { type: 'reply', conn: 7, text: `OK ${'y'.repeat(MAX_MESSAGE_CHARS)}\n` });
  await nextTurn();
  const sizes = link.sent.map((batch) => batch.reduce((sum, d) => sum + ('text' in d ? d.text.length : 0), 0));
  t.true(
    sizes.every((size) => size <= MAX_MESSAGE_CHARS),
    `message texts: ${sizes.join(', ')}`,
  );
  const deliveries = link.sent.flat();
  t.deepEqual(
    deliveries.filter((d) => d.type === 'all').map((d) => d.seq),
    [2, 4, 5],
    'joined two by two, in order',
  );
  const parts = deliveries.filter((d) => d.type === 'reply');
  t.deepEqual(
    parts.map((d) => d.more === true),
    [true, false],
  );
  t.is(parts.map((d) => d.text).join(''), `OK ${'y'.repeat(MAX_MESSAGE_CHARS)}\n`);
});

test('one IPC message per worker per turn, each worker getting only its own deliveries', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 1_000_000, log: quiet });
  const [one, two] = [new FakeLink(), new FakeLink()];
  bus.attach(1, one);
  bus.attach(2, two);
  bus.toWorker(2, { type: 'event', conn: 3, text: 'DM t bob psst\n' });
  bus.toAll(all(1));
  await nextTurn();
  t.deepEqual(one.sent, [[all(1)]]);
  t.deepEqual(two.sent, [[{ type: 'event', conn: 3, text: 'DM t bob psst\n' }, all(1)]]);
});

test('flush sends what is queued at once, without waiting for the end of the turn (shutdown)', (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 1_000_000, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  bus.toAll(all(1));
  bus.flush();
  t.deepEqual(link.sent, [[all(1)]]);
});

test('a worker more than maxBacklog bytes behind is cut off once and sent nothing more', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 200, log: quiet });
  const slow = new FakeLink();
  const fast = new FakeLink();
  bus.attach(1, slow);
  bus.attach(2, fast);
  for (let seq = 1; seq <= 10; seq++) {
    bus.toAll(all(seq));
    await nextTurn();
    fast.drainPipe();
  }
  t.is(slow.cuts, 1, 'cut off once, when its backlog passed the bound');
  t.true(slow.sent.length < 10, 'the lagging worker stopped getting deliveries');
  t.is(fast.sent.length, 10, 'the others carry on');
  t.is(fast.cuts, 0);
});

test('a worker that takes its deliveries off the pipe is never cut off', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 200, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  for (let seq = 1; seq <= 20; seq++) {
    bus.toAll(all(seq));
    await nextTurn();
    link.drainPipe();
  }
  t.is(link.sent.length, 20);
  t.is(link.cuts, 0);
});

test('a detached worker gets nothing, also what was queued for it before', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 1_000_000, log: quiet });
  const link = new FakeLink();
  bus.attach(1, link);
  bus.toAll(all(1));
  bus.detach(1);
  bus.toWorker(1, { type: 'reply', conn: 1, text: 'OK\n' });
  await nextTurn();
  t.deepEqual(link.sent, []);
});

test('sendToEach reaches every attached worker at once, outside the deliveries, but not one cut off', async (t) => {
  const bus = new ClusterHubBus({ maxBacklog: 100, log: quiet });
  const [kept, laggard] = [new FakeLink(), new FakeLink()];
  const controls: PrimaryMessage[] = [];
  const recordControl = (link: FakeLink): DeliveryLink => ({
    send: (message, callback) => {
      if (message.type === 'metrics-collect') controls.push(message);
      return link.send(message, callback);
    },
    cut: link.cut,
  });
  bus.attach(1, recordControl(kept));
  bus.attach(2, recordControl(laggard));
  bus.toWorker(2, { type: 'event', conn: 1, text: 'x'.repeat(500) });
  await nextTurn();
  t.is(laggard.cuts, 1);
  t.deepEqual(bus.sendToEach({ type: 'metrics-collect', id: 9 }), [1]);
  t.deepEqual(controls, [{ type: 'metrics-collect', id: 9 }]);
});
