import test from 'ava';
import { setup } from '../helpers/hub-harness.js';

test('connections beyond --max-clients are dropped with "server full"', (t) => {
  const { bus, hub, open } = setup({ maxClients: 2 });
  open(1, 1);
  open(2, 1, '198.51.100.7');
  open(2, 2);
  t.deepEqual(bus.take(2), [{ type: 'drop', conn: 2, bye: 'server full' }]);
  hub.handle(1, { type: 'close', conn: 1, reason: 'disconnected' });
  hub.handle(2, { type: 'close', conn: 2, reason: 'disconnected' });
  open(2, 3);
  t.deepEqual(bus.take(2), [], 'a rejected connection closing does not free a place twice');
  open(1, 4);
  t.deepEqual(bus.take(1), [{ type: 'drop', conn: 4, bye: 'server full' }]);
});

test('connections from one address beyond --max-clients-per-ip get "too many connections from your address", across workers', (t) => {
  const { bus, open, hub } = setup({ addressLimits: { maxClientsPerIp: 2 } });
  open(1, 1);
  open(2, 1);
  open(2, 2);
  open(1, 2, '198.51.100.7');
  t.deepEqual(bus.take(2), [{ type: 'drop', conn: 2, bye: 'too many connections from your address' }]);
  t.deepEqual(bus.take(1), [], 'another address is not affected');
  hub.handle(2, { type: 'close', conn: 1, reason: 'disconnected' });
  open(2, 3);
  t.deepEqual(bus.take(2), [], 'a closed connection frees its place');
  hub.workerLost(1);
  open(2, 4);
  open(2, 5);
  t.deepEqual(bus.take(2), [{ type: 'drop', conn: 5, bye: 'too many connections from your address' }]);
});

test('new connections from one address beyond --connect-burst get "connecting too fast"; the bucket refills at --connect-rate', (t) => {
  const { bus, open, clock } = setup({ addressLimits: { connectRate: 2, connectBurst: 3 } });
  for (const conn of [1, 2, 3, 4]) open(1, conn);
  t.deepEqual(bus.take(1), [{ type: 'drop', conn: 4, bye: 'connecting too fast from your address' }]);
  open(1, 5, '198.51.100.7');
  t.deepEqual(bus.take(1), [], 'another address has its own bucket');
  clock.now += 499;
  open(1, 6);
  t.deepEqual(bus.take(1), [{ type: 'drop', conn: 6, bye: 'connecting too fast from your address' }]);
  clock.now += 1;
  open(1, 7);
  t.deepEqual(bus.take(1), [], 'half a second at 2/s gives one connection back');
});

test('public events from one address share one budget across connections and workers: RATE_LIMITED past it', (t) => {
  const { bus, hub, register, clock } = setup({ addressLimits: { ipRateLimit: 1, ipRateBurst: 4 } });
  register(1, 1, 'alice');
  register(2, 1, 'bob');
  hub.handle(1, { type: 'msg', conn: 1, text: 'one' });
  hub.handle(2, { type: 'msg', conn: 1, text: 'two' });
  bus.take(1);
  hub.handle(2, { type: 'msg', conn: 1, text: 'three' });
  t.deepEqual(bus.take(2).at(-1), {
    type: 'reply',
    conn: 1,
    text: 'ERROR RATE_LIMITED more than 1 public events/s from your address, slow down\n',
  });
  register(1, 2, 'carol');
  t.deepEqual(
    bus.take(1).map((d) => d.type),
    ['reply'],
    'a JOIN counts too: no JOIN, no enrol, only the error',
  );
  register(1, 3, 'dave', '198.51.100.7');
  t.is(bus.take(1).at(-1)?.type, 'reply');
  t.is(hub.userCount, 3, 'another address registers');
  clock.now += 1_000;
  hub.handle(2, { type: 'msg', conn: 1, text: 'later' });
  t.deepEqual(bus.take(2).at(-1), { type: 'reply', conn: 1, text: 'OK 47\n' }, 'the budget refills with time');
});

test('a LEAVE cannot be refused but spends the budget; LEAVEs the server causes do not', (t) => {
  const { bus, hub, register } = setup({ addressLimits: { ipRateLimit: 0.001, ipRateBurst: 4 } });
  register(1, 1, 'a');
  register(1, 2, 'b');
  hub.handle(1, { type: 'close', conn: 1, reason: 'worker restarting' });
  register(1, 3, 'c');
  hub.handle(1, { type: 'quit', conn: 2, reason: '' });
  bus.take(1);
  register(1, 4, 'd');
  t.deepEqual(
    bus.take(1).map((d) => d.type),
    ['reply'],
    '3 JOINs and one LEAVE by quit spent the 4',
  );
  hub.handle(1, { type: 'close', conn: 3, reason: 'disconnected' });
  t.deepEqual(
    bus.take(1).map((d) => d.type),
    ['all'],
    'the LEAVE is published all the same',
  );
});
