import test from 'ava';
import type { HubBus } from '../../src/bus/bus.js';
import type { Delivery } from '../../src/bus/messages.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { Hub } from '../../src/hub/hub.js';

const TIME = Date.parse('2026-11-24T11:09:21.123Z');

/** Records what the hub sends to each worker, as the cluster bus would deliver it. */
class RecordingBus implements HubBus {
  readonly workers = new Map<number, Delivery[]>();
  constructor(ids: number[]) {
    for (const id of ids) this.workers.set(id, []);
  }
  toWorker(id: number, delivery: Delivery): void {
    this.workers.get(id)?.push(delivery);
  }
  toAll(delivery: Delivery): void {
    for (const list of this.workers.values()) list.push(delivery);
  }
  take(id: number): Delivery[] {
    return this.workers.get(id)!.splice(0);
  }
}

function setup(options: { maxClients?: number; history?: number } = {}) {
  const bus = new RecordingBus([1, 2]);
  const published: number[] = [];
  const hub = new Hub({
    bus,
    history: new HistoryRing(options.history ?? 100),
    epoch: 'e1',
    lastSeq: 41,
    maxClients: options.maxClients ?? 100,
    onPublish: (event) => published.push(event.seq),
    now: () => TIME,
  });
  return { bus, hub, published };
}

test('REGISTER enrols, broadcasts JOIN to every worker, then answers OK', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 7, nick: 'alice' });
  t.deepEqual(bus.take(1), [
    { type: 'enrol', conn: 7 },
    { type: 'all', text: 'JOIN 42 2026-11-24T11:09:21.123Z alice\n', seq: 42 },
    { type: 'reply', conn: 7, text: 'OK alice\n' },
  ]);
  t.deepEqual(bus.take(2), [{ type: 'all', text: 'JOIN 42 2026-11-24T11:09:21.123Z alice\n', seq: 42 }]);
});

test('rejects a nick taken on another worker, case-insensitively', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'Alice' });
  hub.handle(2, { type: 'register', conn: 1, nick: 'aLICE' });
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 1, text: 'ERROR NICK_TAKEN nick aLICE is taken\n' });
});

test('a second REGISTER on the same connection is ALREADY_REGISTERED', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.handle(1, { type: 'register', conn: 1, nick: 'bob' });
  t.deepEqual(bus.take(1).at(-1), { type: 'reply', conn: 1, text: 'ERROR ALREADY_REGISTERED you are already alice\n' });
});

test('NICK is told to everyone as LEAVE "nick changed to" and JOIN in a row, then answered; USERS, DM and the old nick follow', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.handle(2, { type: 'register', conn: 1, nick: 'carol' });
  bus.take(1);
  bus.take(2);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'bob' });
  const told = [
    { type: 'all', text: 'LEAVE 44 2026-11-24T11:09:21.123Z alice nick changed to bob\n', seq: 44 },
    { type: 'all', text: 'JOIN 45 2026-11-24T11:09:21.123Z bob\n', seq: 45 },
  ];
  t.deepEqual(bus.take(1), [...told, { type: 'reply', conn: 1, text: 'OK bob\n' }]);
  t.deepEqual(bus.take(2), told);

  hub.handle(2, { type: 'users', conn: 1 });
  t.deepEqual(bus.take(2), [{ type: 'reply', conn: 1, text: 'OK 2 bob carol\n' }]);
  hub.handle(2, { type: 'dm', conn: 1, nick: 'bob', text: 'hi' });
  t.deepEqual(bus.take(1), [{ type: 'event', conn: 1, text: 'DM 2026-11-24T11:09:21.123Z carol hi\n' }]);
  bus.take(2);
  hub.handle(2, { type: 'register', conn: 2, nick: 'Alice' });
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 2, text: 'OK Alice\n' }, 'the old nick is free');
});

test('NICK to a nick someone holds, in any case, is NICK_TAKEN and changes nothing', (t) => {
  const { bus, hub, published } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.handle(2, { type: 'register', conn: 1, nick: 'bob' });
  bus.take(1);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'BOB' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'ERROR NICK_TAKEN nick BOB is taken\n' }]);
  t.deepEqual(published, [42, 43]);
});

test('NICK to the same nick in another case is announced; to the very same nick it only answers OK', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  bus.take(1);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'Alice' });
  t.deepEqual(bus.take(1), [
    { type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice nick changed to Alice\n', seq: 43 },
    { type: 'all', text: 'JOIN 44 2026-11-24T11:09:21.123Z Alice\n', seq: 44 },
    { type: 'reply', conn: 1, text: 'OK Alice\n' },
  ]);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'Alice' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'OK Alice\n' }]);
});

test('NICK from a connection the hub does not know is NOT_REGISTERED', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'nick', conn: 3, nick: 'bob' });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 3, text: 'ERROR NOT_REGISTERED register first: REGISTER <nick>\n' },
  ]);
});

test('MSG is sequenced, broadcast, kept and answered with its seq', (t) => {
  const { bus, hub, published } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  bus.take(1);
  hub.handle(1, { type: 'msg', conn: 1, text: 'hello, world' });
  t.deepEqual(bus.take(1), [
    { type: 'all', text: 'MSG 43 2026-11-24T11:09:21.123Z alice hello, world\n', seq: 43 },
    { type: 'reply', conn: 1, text: 'OK 43\n' },
  ]);
  t.deepEqual(published, [42, 43]);
});

test('MSG from a connection the hub does not know is NOT_REGISTERED', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'msg', conn: 9, text: 'hi' });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 9, text: 'ERROR NOT_REGISTERED register first: REGISTER <nick>\n' },
  ]);
});

test('DM is routed to the worker holding the target', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.handle(2, { type: 'register', conn: 5, nick: 'bob' });
  bus.take(1);
  bus.take(2);
  hub.handle(1, { type: 'dm', conn: 1, nick: 'BOB', text: 'psst' });
  t.deepEqual(bus.take(2), [{ type: 'event', conn: 5, text: 'DM 2026-11-24T11:09:21.123Z alice psst\n' }]);
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'OK\n' }]);
  hub.handle(1, { type: 'dm', conn: 1, nick: 'carol', text: 'hi' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'ERROR NO_SUCH_NICK no such nick carol\n' }]);
});

test('USERS lists every nick sorted by lower-cased code points', (t) => {
  const { bus, hub } = setup();
  for (const [i, nick] of ['bob', 'Alice', '_x', 'carol', 'Zed'].entries())
    hub.handle(1 + (i % 2), { type: 'register', conn: i, nick });
  bus.take(1);
  hub.handle(1, { type: 'users', conn: 99 });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 99, text: 'OK 5 _x Alice bob carol Zed\n' }]);
});

test('HISTORY replays the last n and SINCE a seq, then OK with the count', (t) => {
  const { bus, hub } = setup({ history: 3 });
  hub.handle(1, { type: 'register', conn: 1, nick: 'a' });
  for (const text of ['one', 'two', 'three']) hub.handle(1, { type: 'msg', conn: 1, text });
  bus.take(1);
  hub.handle(1, { type: 'history', conn: 2, last: 2 });
  hub.handle(1, { type: 'history', conn: 2, last: 50 });
  hub.handle(1, { type: 'history-since', conn: 2, seq: 44 });
  hub.handle(1, { type: 'history-since', conn: 2, seq: 0 });
  hub.handle(1, { type: 'history-since', conn: 2, seq: 45 });
  const m = (seq: number, text: string) => `MSG ${seq} 2026-11-24T11:09:21.123Z a ${text}\n`;
  t.deepEqual(
    bus.take(1).map((d) => (d as { text: string }).text),
    [
      m(44, 'two') + m(45, 'three') + 'OK 2\n',
      m(43, 'one') + m(44, 'two') + m(45, 'three') + 'OK 3\n',
      m(45, 'three') + 'OK 1\n',
      m(43, 'one') + m(44, 'two') + m(45, 'three') + 'OK 3\n',
      'OK 0\n',
    ],
  );
});

test('KICK drops the target before its LEAVE, then answers the operator', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'op' });
  hub.handle(2, { type: 'register', conn: 2, nick: 'troll' });
  bus.take(1);
  bus.take(2);
  hub.handle(1, { type: 'kick', conn: 1, nick: 'troll', reason: 'spam' });
  t.deepEqual(bus.take(2), [
    { type: 'drop', conn: 2, bye: 'kicked: spam' },
    { type: 'all', text: 'LEAVE 44 2026-11-24T11:09:21.123Z troll kicked: spam\n', seq: 44 },
  ]);
  t.deepEqual(bus.take(1).at(-1), { type: 'reply', conn: 1, text: 'OK\n' });
  hub.handle(2, { type: 'register', conn: 3, nick: 'troll' });
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 3, text: 'OK troll\n' }, 'the nick is free again');
});

test('QUIT answers OK, drops, then tells the others', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  bus.take(1);
  hub.handle(1, { type: 'quit', conn: 1, reason: 'bye all' });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 1, text: 'OK\n' },
    { type: 'drop', conn: 1, bye: '' },
    { type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice quit: bye all\n', seq: 43 },
  ]);
});

test('a closed connection leaves with its reason; an unregistered one silently', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  bus.take(1);
  hub.handle(1, { type: 'close', conn: 1, reason: 'timeout' });
  hub.handle(1, { type: 'close', conn: 2, reason: 'disconnected' });
  t.deepEqual(bus.take(1), [{ type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice timeout\n', seq: 43 }]);
});

test('a lost worker frees its nicks and each of its users leaves with "worker lost"', (t) => {
  const { bus, hub } = setup();
  hub.handle(1, { type: 'register', conn: 1, nick: 'a' });
  hub.handle(1, { type: 'register', conn: 2, nick: 'b' });
  hub.handle(2, { type: 'register', conn: 1, nick: 'c' });
  bus.take(2);
  hub.workerLost(1);
  t.deepEqual(
    bus.take(2).map((d) => (d as { text: string }).text),
    ['LEAVE 45 2026-11-24T11:09:21.123Z a worker lost\n', 'LEAVE 46 2026-11-24T11:09:21.123Z b worker lost\n'],
  );
  t.is(hub.userCount, 1);
});

test('connections beyond --max-clients are dropped with "server full"', (t) => {
  const { bus, hub } = setup({ maxClients: 2 });
  hub.handle(1, { type: 'open', conn: 1 });
  hub.handle(2, { type: 'open', conn: 1 });
  hub.handle(2, { type: 'open', conn: 2 });
  t.deepEqual(bus.take(2), [{ type: 'drop', conn: 2, bye: 'server full' }]);
  hub.handle(1, { type: 'close', conn: 1, reason: 'disconnected' });
  hub.handle(2, { type: 'close', conn: 2, reason: 'disconnected' });
  hub.handle(2, { type: 'open', conn: 3 });
  t.deepEqual(bus.take(2), [], 'a rejected connection closing does not free a place twice');
  hub.handle(1, { type: 'open', conn: 4 });
  t.deepEqual(bus.take(1), [{ type: 'drop', conn: 4, bye: 'server full' }]);
});
