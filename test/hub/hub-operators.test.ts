import test from 'ava';
import { setup, TOKEN } from '../helpers/hub-harness.js';

/** A hub with `op` registered on worker 1 (conn 1) and made an operator, and `troll` on worker 2 (conn 2). */
function opAndTroll(): ReturnType<typeof setup> {
  const harness = setup();
  harness.register(1, 1, 'op');
  harness.register(2, 2, 'troll');
  harness.hub.handle(1, { type: 'auth', conn: 1, token: TOKEN });
  return harness;
}

test('KICK drops the target before its LEAVE, then answers the operator', (t) => {
  const { bus, hub, register } = opAndTroll();
  bus.forget();
  hub.handle(1, { type: 'kick', conn: 1, nick: 'troll', reason: 'spam' });
  t.deepEqual(bus.take(2), [
    { type: 'drop', conn: 2, bye: 'kicked: spam' },
    { type: 'all', text: 'LEAVE 44 2026-11-24T11:09:21.123Z troll kicked: spam\n', seq: 44 },
  ]);
  t.deepEqual(bus.take(1).at(-1), { type: 'reply', conn: 1, text: 'OK\n' });
  register(2, 3, 'troll');
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 3, text: 'OK troll\n' }, 'the nick is free again');
});

test('what a kicked connection sent before its worker heard of the KICK changes nothing', (t) => {
  const { bus, hub } = opAndTroll();
  hub.handle(1, { type: 'kick', conn: 1, nick: 'troll', reason: 'spam' });
  bus.forget();
  hub.handle(2, { type: 'register', conn: 2, nick: 'troll2' });
  hub.handle(2, { type: 'msg', conn: 2, text: 'still here' });
  hub.handle(2, { type: 'auth', conn: 2, token: TOKEN });
  hub.handle(2, { type: 'close', conn: 2, reason: 'kicked: spam' });
  t.deepEqual(bus.take(2), [
    { type: 'reply', conn: 2, text: 'ERROR NOT_REGISTERED this connection is being closed\n' },
    { type: 'reply', conn: 2, text: 'ERROR NOT_REGISTERED this connection is being closed\n' },
    { type: 'reply', conn: 2, text: 'ERROR NOT_REGISTERED this connection is being closed\n' },
  ]);
  t.deepEqual(bus.take(1), [], 'no JOIN, no MSG, no second LEAVE');
  hub.handle(1, { type: 'users', conn: 1 });
  t.deepEqual(bus.take(1), [{ type: 'reply', conn: 1, text: 'OK 1 op\n' }]);
});

test('an operator who kicks themself gets the OK before the BYE', (t) => {
  const { bus, hub } = opAndTroll();
  bus.forget();
  hub.handle(1, { type: 'kick', conn: 1, nick: 'OP', reason: '' });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 1, text: 'OK\n' },
    { type: 'drop', conn: 1, bye: 'kicked: by op' },
    { type: 'all', text: 'LEAVE 44 2026-11-24T11:09:21.123Z op kicked: by op\n', seq: 44 },
  ]);
});

test('ANNOUNCE and KICK are for operators: the hub checks, whatever the worker let through', (t) => {
  const { bus, hub, register } = setup();
  register(1, 1, 'alice');
  register(1, 2, 'bob');
  bus.take(1);
  hub.handle(1, { type: 'announce', conn: 1, text: 'hi' });
  hub.handle(1, { type: 'kick', conn: 1, nick: 'bob', reason: '' });
  t.deepEqual(
    bus.take(1).map((d) => (d as { text: string }).text),
    ['ERROR FORBIDDEN operators only: AUTH <token> first\n', 'ERROR FORBIDDEN operators only: AUTH <token> first\n'],
  );
  hub.handle(1, { type: 'auth', conn: 1, token: TOKEN });
  hub.handle(1, { type: 'announce', conn: 1, text: 'hi' });
  t.deepEqual(
    bus.take(1).map((d) => (d as { text: string }).text),
    ['OK\n', 'ANNOUNCE 44 2026-11-24T11:09:21.123Z hi\n', 'OK 44\n'],
  );
});

test('AUTH: the third failure on a connection closes it; its user leaves', (t) => {
  const { bus, hub, register, logged } = setup();
  register(1, 1, 'mallory', '203.0.113.5');
  bus.take(1);
  for (const token of ['a', 'b', 'c']) hub.handle(1, { type: 'auth', conn: 1, token });
  hub.handle(1, { type: 'auth', conn: 1, token: TOKEN });
  t.deepEqual(bus.take(1), [
    { type: 'reply', conn: 1, text: 'ERROR AUTH_FAILED wrong token\n' },
    { type: 'reply', conn: 1, text: 'ERROR AUTH_FAILED wrong token\n' },
    { type: 'reply', conn: 1, text: 'ERROR AUTH_FAILED wrong token\n' },
    { type: 'drop', conn: 1, bye: 'too many failed AUTH attempts' },
    { type: 'all', text: 'LEAVE 43 2026-11-24T11:09:21.123Z mallory disconnected\n', seq: 43 },
    { type: 'reply', conn: 1, text: 'ERROR NOT_REGISTERED this connection is being closed\n' },
  ]);
  t.is(logged.filter((line) => line.startsWith('AUTH failed from 203.0.113.5 (worker 1, connection 1)')).length, 3);
});

test('AUTH: failures count per address across connections and workers; then even the right token is refused, for longer each time', (t) => {
  const { bus, hub, open, clock, logged } = setup();
  const attempt = (workerId: number, conn: number, token: string, address = '203.0.113.5') => {
    open(workerId, conn, address);
    hub.handle(workerId, { type: 'auth', conn, token });
    return (bus.take(workerId).find((d) => d.type === 'reply') as { text: string }).text.trimEnd();
  };
  t.is(attempt(1, 1, 'guess1'), 'ERROR AUTH_FAILED wrong token');
  t.is(attempt(2, 1, 'guess2'), 'ERROR AUTH_FAILED wrong token');
  t.is(attempt(1, 2, 'guess3'), 'ERROR AUTH_FAILED wrong token');
  t.is(attempt(2, 2, TOKEN), 'ERROR AUTH_FAILED too many failed AUTH attempts from your address; try again in 1 s');
  t.is(attempt(1, 3, TOKEN, '198.51.100.7'), 'OK', 'another address is not locked out');
  clock.now += 1_000;
  t.is(attempt(1, 4, 'guess4'), 'ERROR AUTH_FAILED wrong token');
  t.is(attempt(2, 3, TOKEN), 'ERROR AUTH_FAILED too many failed AUTH attempts from your address; try again in 2 s');
  clock.now += 2_000;
  t.is(attempt(1, 5, 'guess5'), 'ERROR AUTH_FAILED wrong token');
  clock.now += 3_999;
  t.is(attempt(1, 6, TOKEN), 'ERROR AUTH_FAILED too many failed AUTH attempts from your address; try again in 1 s');
  clock.now += 1;
  t.is(attempt(1, 7, TOKEN), 'OK', 'once the lockout is over, the right token works');
  t.is(attempt(1, 8, 'typo'), 'ERROR AUTH_FAILED wrong token', 'and a success cleared the record');
  t.true(
    logged.includes(
      'AUTH failed from 203.0.113.5 (worker 1, connection 5): failure 5 from this address; AUTH refused from this address for 4 s',
    ),
  );
  t.true(logged.some((line) => line.startsWith('AUTH refused from 203.0.113.5 (worker 2, connection 2): locked out')));
});

test('AUTH from a connection refused at open never reaches the token', (t) => {
  const { bus, hub, open } = setup({ addressLimits: { maxClientsPerIp: 1 } });
  open(1, 1);
  open(1, 2);
  hub.handle(1, { type: 'auth', conn: 2, token: TOKEN });
  hub.handle(1, { type: 'register', conn: 2, nick: 'ghost' });
  t.deepEqual(
    bus.take(1).map((d) => (d.type === 'drop' ? d.bye : (d as { text: string }).text)),
    [
      'too many connections from your address',
      'ERROR AUTH_FAILED this connection was refused\n',
      'ERROR NOT_REGISTERED this connection was refused\n',
    ],
  );
  t.is(hub.userCount, 0);
});
