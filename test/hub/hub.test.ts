import test from 'ava';
import { DEFAULT_ADDRESS_LIMITS, type AddressLimitOptions } from '../../src/hub/address-limits.js';
import { MemoryLog } from '../../src/hub/event-log.js';
import { LocalState } from '../../src/hub/local-state.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { Hub } from '../../src/hub/hub.js';
import type { HubRequest } from '../../src/bus/messages.js';
import type { Logger } from '../../src/log.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { RecordingBus } from '../helpers/recording-bus.js';

const TIME = Date.parse('2026-11-24T11:09:21.123Z');
const ADDRESS = '192.0.2.1';
const TOKEN = 'correct-horse-battery-staple';

/** The in-memory event log, recording the seq of every event it is given. */
class RecordingLog extends MemoryLog {
  readonly seqs: number[] = [];
  override append(event: PublicEvent): void {
    this.seqs.push(event.seq);
    super.append(event);
  }
}

interface SetupOptions {
  maxClients?: number;
  history?: number;
  addressLimits?: Partial<AddressLimitOptions>;
  /** Nick claims answered later, as the JetStream state answers them. */
  claimsLater?: boolean;
}

function setup(options: SetupOptions = {}) {
  const bus = new RecordingBus([1, 2]);
  const eventLog = new RecordingLog();
  const published = eventLog.seqs;
  const logged: string[] = [];
  const log: Logger = {
    error: (line) => logged.push(line),
    warn: (line) => logged.push(line),
    info: (line) => logged.push(line),
    debug: () => {},
  };
  const clock = { now: TIME };
  const State = options.claimsLater === true ? SlowClaims : LocalState;
  const state = new State({
    epoch: 'e1',
    lastSeq: 41,
    journal: eventLog,
    log,
    now: () => clock.now,
  });
  const hub = new Hub({
    bus,
    history: new HistoryRing(options.history ?? 100),
    state,
    maxClients: options.maxClients ?? 100,
    addressLimits: { ...DEFAULT_ADDRESS_LIMITS, ...options.addressLimits },
    adminToken: TOKEN,
    log,
    now: () => clock.now,
  });
  void state.start(hub);
  const open = (workerId: number, conn: number, address = ADDRESS) => {
    hub.handle(workerId, { type: 'open', conn, address });
  };
  /** Opens the connection, as its worker does on accept, and registers it. */
  const register = (workerId: number, conn: number, nick: string, address = ADDRESS) => {
    open(workerId, conn, address);
    hub.handle(workerId, { type: 'register', conn, nick });
  };
  return { bus, hub, state, published, logged, clock, open, register };
}

/** `setup()` with alice registered on worker 1 (connection 1) and what that sent forgotten. */
function withAlice() {
  const parts = setup();
  parts.register(1, 1, 'alice');
  parts.bus.forget();
  return parts;
}

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

test('KICK drops the target before its LEAVE, then answers the operator', (t) => {
  const { bus, hub, register } = setup();
  register(1, 1, 'op');
  register(2, 2, 'troll');
  hub.handle(1, { type: 'auth', conn: 1, token: TOKEN });
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
    { type: 'reply', conn: 1, text: 'ERROR AUTH_FAILED too many failed AUTH attempts\n' },
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

/** The in-process state, except that nick claims are answered later, as JetStream answers them. */
class SlowClaims extends LocalState {
  readonly pending: Array<() => void> = [];
  override claim(_nick: string, done: (claimed: boolean) => void): void {
    this.pending.push(() => {
      done(true);
    });
  }
}

function answerClaim(state: LocalState): void {
  if (!(state instanceof SlowClaims)) throw new Error('claims are answered at once');
  state.pending.shift()?.();
}

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
