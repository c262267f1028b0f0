/**
 * The session on its own, with a recording transport and bus: the limits and timers that are
 * impractical to drive over a real socket (keepalive minutes, refill rates) run on fake time.
 */
import test from 'ava';
import sinon from 'sinon';
import { defined } from '../helpers/defined.js';
import { sessionHarness as setup } from '../helpers/session-harness.js';

/** A registration deadline beyond every test's fake time, for tests about other timers. */
const NEVER = 24 * 3_600_000;

test.afterEach.always(() => {
  sinon.restore();
});

test.serial('sends PING after the ping interval of silence, BYE ping timeout after the timeout', (t) => {
  const { clock, transport, requests, session } = setup({ registerTimeout: NEVER });
  clock.tick(29_999);
  t.deepEqual(transport.lines(), []);
  clock.tick(1);
  t.regex(transport.lines()[0] ?? '', /^PING \S+$/);
  clock.tick(29_999);
  t.false(transport.ended);
  clock.tick(1);
  t.is(transport.lines()[1], 'BYE ping timeout');
  t.true(transport.ended);
  session.closed();
  t.deepEqual(requests, [{ type: 'close', conn: 1, reason: 'timeout' }]);
});

test.serial('any line, PONG included, counts as activity', (t) => {
  const { clock, transport, send } = setup({ registerTimeout: NEVER });
  clock.tick(30_000);
  const token = defined(transport.lines()[0], 'a PING').slice('PING '.length);
  clock.tick(20_000);
  send(`PONG ${token}\n`);
  clock.tick(50_000);
  t.false(transport.ended, 'the PONG reset the clock');
  t.is(transport.lines().length, 2, 'a second PING after the next silence');
  clock.tick(10_000);
  t.true(transport.ended);
});

test.serial('PONG gets no reply and is not rate limited', (t) => {
  const { transport, send } = setup({ rateLimit: 1, rateBurst: 1 });
  for (let i = 0; i < 10; i++) send('PONG x\n');
  t.is(transport.written, '');
});

test.serial('rate limit: a burst passes, then RATE_LIMITED, and the bucket refills with time', (t) => {
  const { clock, transport, send } = setup({ rateLimit: 20, rateBurst: 40 });
  for (let i = 0; i < 45; i++) send('PING\n');
  const lines = transport.lines();
  t.is(lines.filter((l) => l === 'OK').length, 40);
  t.is(lines.filter((l) => l.startsWith('ERROR RATE_LIMITED ')).length, 5);
  transport.written = '';
  clock.tick(500);
  for (let i = 0; i < 11; i++) send('PING\n');
  t.deepEqual(transport.lines().slice(0, 10), Array(10).fill('OK'));
  t.regex(transport.lines()[10] ?? '', /^ERROR RATE_LIMITED /);
  t.false(transport.ended, 'the connection is kept');
});

test.serial('a local reply waits behind a reply the hub has not given yet', (t) => {
  const { transport, requests, session, send } = setup();
  send('USERS\nPING a\nHELP\n');
  t.is(transport.written, '');
  t.deepEqual(requests, [{ type: 'users', conn: 1 }]);
  session.reply('OK 0\n');
  t.deepEqual(transport.lines(), [
    'OK 0',
    'OK a',
    `OK REGISTER MSG DM USERS HISTORY PING PONG AUTH ANNOUNCE KICK HELP QUIT NICK`,
  ]);
});

test.serial('commands that need registration are refused before REGISTER, accepted while it is pending', (t) => {
  const { transport, requests, send } = setup();
  send('MSG hi\nDM bob hi\n');
  t.deepEqual(transport.lines(), [
    'ERROR NOT_REGISTERED register first: REGISTER <nick>',
    'ERROR NOT_REGISTERED register first: REGISTER <nick>',
  ]);
  send('REGISTER alice\nMSG hi\n');
  t.deepEqual(requests, [
    { type: 'register', conn: 1, nick: 'alice' },
    { type: 'msg', conn: 1, text: 'hi' },
  ]);
});

test.serial('ANNOUNCE and KICK behind a pending REGISTER go to the hub, which checks registration first', (t) => {
  const { transport, requests, session, send } = setup();
  send('REGISTER taken\nANNOUNCE hi\nKICK bob\n');
  t.deepEqual(requests, [
    { type: 'register', conn: 1, nick: 'taken' },
    { type: 'announce', conn: 1, text: 'hi' },
    { type: 'kick', conn: 1, nick: 'bob', reason: '' },
  ]);
  session.reply('ERROR NICK_TAKEN nick taken is taken\n');
  session.reply('ERROR NOT_REGISTERED register first: REGISTER <nick>\n');
  session.reply('ERROR NOT_REGISTERED register first: REGISTER <nick>\n');
  t.deepEqual(transport.lines(), [
    'ERROR NICK_TAKEN nick taken is taken',
    'ERROR NOT_REGISTERED register first: REGISTER <nick>',
    'ERROR NOT_REGISTERED register first: REGISTER <nick>',
  ]);
});

test.serial('AUTH goes to the hub, which decides; ANNOUNCE waits for it only while an AUTH is pending', (t) => {
  const { transport, requests, session, send, register } = setup();
  register('op');
  send('ANNOUNCE hi\nAUTH correct-horse-battery\nANNOUNCE hello all\n');
  t.deepEqual(transport.lines(), ['OK op', 'ERROR FORBIDDEN operators only: AUTH <token> first']);
  t.deepEqual(requests, [
    { type: 'auth', conn: 1, token: 'correct-horse-battery' },
    { type: 'announce', conn: 1, text: 'hello all' },
  ]);
  session.reply('OK\n');
  session.reply('OK 7\n');
  send('ANNOUNCE again\n');
  t.deepEqual(requests.at(-1), { type: 'announce', conn: 1, text: 'again' }, 'an operator now');
});

test.serial('a failed AUTH leaves the connection no operator; the hub closes it after three (drop)', (t) => {
  const { transport, requests, session, send, register } = setup();
  register('eve');
  send('AUTH nope\n');
  session.reply('ERROR AUTH_FAILED wrong token\n');
  send('ANNOUNCE hi\n');
  t.deepEqual(transport.lines(), [
    'OK eve',
    'ERROR AUTH_FAILED wrong token',
    'ERROR FORBIDDEN operators only: AUTH <token> first',
  ]);
  session.drop('too many failed AUTH attempts');
  t.is(transport.lines().at(-1), 'BYE too many failed AUTH attempts');
  t.true(transport.ended);
  t.deepEqual(requests, [{ type: 'auth', conn: 1, token: 'nope' }]);
});

test.serial('a connection not registered after --register-timeout gets BYE registration timeout, PONGs or not', (t) => {
  const { clock, transport, session, send } = setup({ registerTimeout: 30_000, pingInterval: 10_000 });
  clock.tick(10_000);
  t.regex(transport.lines()[0] ?? '', /^PING /);
  send('PONG x\n');
  clock.tick(10_000);
  send('PING still here\n');
  clock.tick(9_999);
  t.false(transport.ended);
  clock.tick(1);
  t.is(transport.lines().at(-1), 'BYE registration timeout');
  t.true(transport.ended);
  session.closed();
});

test.serial('a registered connection has no registration deadline', (t) => {
  const { clock, transport, register } = setup({ registerTimeout: 5_000 });
  register('alice');
  clock.tick(20_000);
  t.false(transport.ended);
  t.notRegex(transport.written, /registration timeout/);
});

test.serial('bad bytes get their error code and the connection stays usable', (t) => {
  const { transport, send, session } = setup({ maxLine: 16 });
  session.receive(Buffer.from([0x4d, 0x53, 0x47, 0x20, 0xff, 0x0a]));
  send('MSG \u001b[2J\n');
  send(`${'x'.repeat(17)}\n`);
  send('PING ok\n');
  t.deepEqual(transport.lines(), [
    'ERROR BAD_ENCODING line is not valid UTF-8',
    'ERROR BAD_TEXT control and invisible characters are not allowed',
    'ERROR TOO_LONG line longer than 16 bytes',
    'OK ok',
  ]);
  t.false(transport.ended);
});

test.serial(
  'past --max-queue: the queued output is dropped, BYE slow consumer follows what the transport holds, the hub is told at once, then a grace',
  (t) => {
    const { clock, transport, session, requests } = setup({ softQueue: 50, maxQueue: 100 });
    transport.highWaterMark = 20;
    session.enrol();
    for (let seq = 1; seq <= 10; seq++) session.deliver(`MSG ${seq} t a hello\n`);
    t.deepEqual(
      transport.lines(),
      ['MSG 1 t a hello', 'MSG 2 t a hello', 'BYE slow consumer'],
      'the transport took lines up to its high-water mark; what was queued after them is dropped',
    );
    t.true(transport.ended);
    t.deepEqual(requests, [{ type: 'close', conn: 1, reason: 'slow consumer' }], 'gone for everyone at the cut');
    clock.tick(9_999);
    t.false(transport.destroyed, 'a grace to read the BYE');
    clock.tick(1);
    t.true(transport.destroyed);
    session.closed();
    t.deepEqual(requests, [{ type: 'close', conn: 1, reason: 'slow consumer' }], 'told once');
  },
);

test.serial('above the soft limit commands wait and reading pauses; once the output drains they run in order', (t) => {
  const { transport, session, send } = setup({ softQueue: 100 });
  transport.highWaterMark = 50;
  session.deliver('x'.repeat(120) + '\n');
  send('PING a\nPING b\n');
  send('PING c\n');
  t.true(transport.paused);
  t.deepEqual(transport.lines(), ['x'.repeat(120)]);
  transport.take();
  t.deepEqual(transport.lines().slice(1), ['OK a', 'OK b', 'OK c']);
  t.false(transport.paused);
});

test.serial('a client that closes its sending side while its commands wait still gets every answer', (t) => {
  const { transport, session, send } = setup({ softQueue: 100 });
  transport.highWaterMark = 50;
  session.deliver('x'.repeat(120) + '\n');
  send('PING a\nPING b\n');
  session.endOfInput();
  t.false(transport.ended);
  transport.take();
  t.deepEqual(transport.lines().slice(1), ['OK a', 'OK b']);
  t.true(transport.ended);
});

test.serial('reading pauses while too many replies are outstanding, and resumes as they come', (t) => {
  const { transport, session, send } = setup({ rateLimit: 10_000, rateBurst: 10_000 });
  send('USERS\n'.repeat(300));
  t.true(transport.paused);
  for (let i = 0; i < 300; i++) session.reply('OK 0\n');
  t.false(transport.paused);
});

test.serial('after QUIT nothing more is read; events still arrive until the hub closes it', (t) => {
  const { transport, requests, session, send, register } = setup();
  register('a');
  send('QUIT gone\nMSG ignored\n');
  t.deepEqual(requests.at(-1), { type: 'quit', conn: 1, reason: 'gone' });
  session.deliver('MSG 5 t b hi\n');
  session.reply('OK\n');
  session.drop('');
  t.deepEqual(transport.lines(), ['OK a', 'MSG 5 t b hi', 'OK']);
  t.true(transport.ended);
});

test.serial('a client that closes its sending side still gets every answer, then the connection closes', (t) => {
  const { transport, session, send } = setup();
  send('USERS\n');
  session.endOfInput();
  t.false(transport.ended);
  session.reply('OK 0\n');
  t.deepEqual(transport.lines(), ['OK 0']);
  t.true(transport.ended);
});
