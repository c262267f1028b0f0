import test from 'ava';
import type { HubRequest } from '../../src/bus/messages.js';
import { answerClaim, setup, withAlice } from '../helpers/hub-harness.js';

test('REGISTER enrols, broadcasts JOIN to every worker, then answers OK', (t) => {
  const { bus, register } = setup();
  register(1, 7, 'alice');
  t.deepEqual(bus.take(1), [
    { type: 'enrol', conn: 7 },
    { type: 'all', text: 'JOIN 42 2026-11-24T11:09:21.123Z alice\n', seq: 42 },
    { type: 'reply', conn: 7, text: 'OK alice\n' },
  ]);
  t.deepEqual(bus.take(2), [{ type: 'all', text: 'JOIN 42 2026-11-24T11:09:21.123Z alice\n', seq: 42 }]);
});

test('MSG is sequenced, broadcast, kept and answered with its seq', (t) => {
  const { bus, hub, published } = withAlice();
  hub.handle(1, { type: 'msg', conn: 1, text: 'hello, world' });
  t.deepEqual(bus.take(1), [
    { type: 'all', text: 'MSG 43 2026-11-24T11:09:21.123Z alice hello, world\n', seq: 43 },
    { type: 'reply', conn: 1, text: 'OK 43\n' },
  ]);
  t.deepEqual(published, [42, 43]);
});

const fromStrangers: HubRequest[] = [
  { type: 'nick', conn: 3, nick: 'bob' },
  { type: 'msg', conn: 9, text: 'hi' },
];
for (const request of fromStrangers) {
  test(`${request.type.toUpperCase()} from a connection the hub does not know is NOT_REGISTERED`, (t) => {
    const { bus, hub } = setup();
    hub.handle(1, request);
    t.deepEqual(bus.take(1), [
      { type: 'reply', conn: request.conn, text: 'ERROR NOT_REGISTERED register first: REGISTER <nick>\n' },
    ]);
  });
}

test('DM is routed to the worker holding the target', (t) => {
  const { bus, hub, register } = setup();
  register(1, 1, 'alice');
  register(2, 5, 'bob');
  bus.forget();
  hub.handle(1, { type: 'dm', conn: 1, nick: 'BOB', text: 'psst' });
  t.deepEqual(bus.take(2), [{ type: 'event', conn: 5, text: 'DM 2026-11-24T11:09:21.123Z alice psst\n' }]);
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'OK\n' }]);
  hub.handle(1, { type: 'dm', conn: 1, nick: 'carol', text: 'hi' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'ERROR NO_SUCH_NICK no such nick carol\n' }]);
});

test('USERS lists every nick sorted by lower-cased code points', (t) => {
  const { bus, hub, register } = setup();
  for (const [i, nick] of ['bob', 'Alice', '_x', 'carol', 'Zed'].entries()) register(1 + (i % 2), i, nick);
  bus.take(1);
  hub.handle(1, { type: 'users', conn: 99 });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 99, text: 'OK 5 _x Alice bob carol Zed\n' }]);
});

test('keeps the last --history public events, which seed a new worker', (t) => {
  const { hub, register } = setup({ history: 3 });
  register(1, 1, 'a');
  for (const text of ['one', 'two', 'three']) hub.handle(1, { type: 'msg', conn: 1, text });
  const m = (seq: number, text: string) => `MSG ${seq} 2026-11-24T11:09:21.123Z a ${text}\n`;
  t.deepEqual(
    [...hub.history.pieces(1_000_000)],
    [{ text: m(43, 'one') + m(44, 'two') + m(45, 'three'), first: 43, last: 45 }],
  );
});

test('QUIT answers OK, drops, then tells the others', (t) => {
  const { bus, hub } = withAlice();
  hub.handle(1, { type: 'quit', conn: 1, reason: 'bye all' });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 1, text: 'OK\n' },
    { type: 'drop', conn: 1, bye: '' },
    { type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice quit: bye all\n', seq: 43 },
  ]);
});

test('a closed connection leaves with its reason; an unregistered one silently', (t) => {
  const { bus, hub } = withAlice();
  hub.handle(1, { type: 'close', conn: 1, reason: 'timeout' });
  hub.handle(1, { type: 'close', conn: 2, reason: 'disconnected' });
  t.deepEqual(bus.take(1), [{ type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice timeout\n', seq: 43 }]);
});

test('a lost worker frees its nicks and each of its users leaves with "worker lost"', (t) => {
  const { bus, hub, register } = setup();
  register(1, 1, 'a');
  register(1, 2, 'b');
  register(2, 1, 'c');
  bus.take(2);
  hub.workerLost(1);
  t.deepEqual(
    bus.take(2).map((d) => (d as { text: string }).text),
    ['LEAVE 45 2026-11-24T11:09:21.123Z a worker lost\n', 'LEAVE 46 2026-11-24T11:09:21.123Z b worker lost\n'],
  );
  t.is(hub.userCount, 1);
});

test('while the state has not answered a request, the same connection waits; the others do not', (t) => {
  const { bus, hub, state, open } = setup({ claimsLater: true });
  open(1, 1);
  open(1, 2);
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.handle(1, { type: 'msg', conn: 1, text: 'first' });
  hub.handle(1, { type: 'users', conn: 2 });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 2, text: 'OK 0\n' }], 'another connection is answered at once');
  answerClaim(state);
  t.deepEqual(bus.take(1), [
    { type: 'enrol', conn: 1 },
    { type: 'all', text: 'JOIN 42 2026-11-24T11:09:21.123Z alice\n', seq: 42 },
    { type: 'reply', conn: 1, text: 'OK alice\n' },
    { type: 'all', text: 'MSG 43 2026-11-24T11:09:21.123Z alice first\n', seq: 43 },
    { type: 'reply', conn: 1, text: 'OK 43\n' },
  ]);
});

test('a claim answered after its worker was lost is given back, and nobody is enrolled', (t) => {
  const { bus, hub, state, open } = setup({ claimsLater: true });
  open(1, 1);
  hub.handle(1, { type: 'register', conn: 1, nick: 'alice' });
  hub.workerLost(1);
  answerClaim(state);
  t.deepEqual(bus.take(2), []);
  t.is(hub.userCount, 0);
});
