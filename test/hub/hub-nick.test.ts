import test from 'ava';
import { setup, withAlice } from '../helpers/hub-harness.js';

test('rejects a nick taken on another worker, case-insensitively', (t) => {
  const { bus, register } = setup();
  register(1, 1, 'Alice');
  register(2, 1, 'aLICE');
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 1, text: 'ERROR NICK_TAKEN nick aLICE is taken\n' });
});

test('a second REGISTER on the same connection is ALREADY_REGISTERED', (t) => {
  const { bus, register } = setup();
  register(1, 1, 'alice');
  register(1, 1, 'bob');
  t.deepEqual(bus.take(1).at(-1), { type: 'reply', conn: 1, text: 'ERROR ALREADY_REGISTERED you are already alice\n' });
});

test('NICK is told to everyone as LEAVE "nick changed to" and JOIN in a row, then answered; USERS, DM and the old nick follow', (t) => {
  const { bus, hub, register } = setup();
  register(1, 1, 'alice');
  register(2, 1, 'carol');
  bus.forget();
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
  register(2, 2, 'Alice');
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 2, text: 'OK Alice\n' }, 'the old nick is free');
});

test('NICK to a nick someone holds, in any case, is NICK_TAKEN and changes nothing', (t) => {
  const { bus, hub, published, register } = setup();
  register(1, 1, 'alice');
  register(2, 1, 'bob');
  bus.take(1);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'BOB' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'ERROR NICK_TAKEN nick BOB is taken\n' }]);
  t.deepEqual(published, [42, 43]);
});

test('NICK to the same nick in another case is announced; to the very same nick it only answers OK', (t) => {
  const { bus, hub } = withAlice();
  hub.handle(1, { type: 'nick', conn: 1, nick: 'Alice' });
  t.deepEqual(bus.take(1), [
    { type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z alice nick changed to Alice\n', seq: 43 },
    { type: 'all', text: 'JOIN 44 2026-11-24T11:09:21.123Z Alice\n', seq: 44 },
    { type: 'reply', conn: 1, text: 'OK Alice\n' },
  ]);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'Alice' });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'OK Alice\n' }]);
});

test('NICK spends the address budget: its JOIN like a REGISTER, its LEAVE as a charge', (t) => {
  const { bus, hub, register } = setup({ addressLimits: { ipRateLimit: 0.001, ipRateBurst: 3 } });
  register(1, 1, 'alice');
  hub.handle(1, { type: 'nick', conn: 1, nick: 'bob' });
  bus.take(1);
  hub.handle(1, { type: 'nick', conn: 1, nick: 'carol' });
  t.deepEqual(bus.take(1), [
    {
      type: 'reply',
      conn: 1,
      text: 'ERROR RATE_LIMITED more than 0.001 public events/s from your address, slow down\n',
    },
  ]);
  t.is(hub.userCount, 1);
});
