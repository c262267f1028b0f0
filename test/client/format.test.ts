import test from 'ava';
import { ServerReplyError, ConnectFailedError } from '../../src/client/errors.js';
import {
  displayError,
  displayPublicEvent,
  displayReceivedDm,
  displaySentDm,
  displayStatus,
  formatTime,
} from '../../src/client/format.js';
import { completesNickChange } from '../../src/client/nick-change.js';
import { createStyle, nickColor, shouldUseColor } from '../../src/client/style.js';
import type { PublicEvent } from '../../src/protocol/index.js';

const plain = createStyle(false);
const colored = createStyle(true);
/** An ISO time whose local HH:MM:SS is 12:01:02, whatever the test machine's time zone. */
const TIME = new Date(2026, 10, 24, 12, 1, 2, 345).toISOString();

function event(type: PublicEvent['type'], nick: string, text: string): PublicEvent {
  return { type, seq: 7, time: TIME, nick, text };
}

test('formats times as local HH:MM:SS, and a broken time visibly', (t) => {
  t.is(formatTime(TIME), '12:01:02');
  t.is(formatTime('yesterday'), '--:--:--');
});

test('formats each public event type', (t) => {
  t.is(displayPublicEvent(event('MSG', 'bob', 'hello'), plain), '[12:01:02] <bob> hello');
  t.is(displayPublicEvent(event('JOIN', 'bob', ''), plain), '[12:01:02] --> bob joined');
  t.is(displayPublicEvent(event('LEAVE', 'bob', 'quit: bye'), plain), '[12:01:02] <-- bob left (quit: bye)');
  t.is(displayPublicEvent(event('ANNOUNCE', '', 'maintenance at noon'), plain), '[12:01:02] !!! maintenance at noon');
});

test('a nick change shows as one line: its LEAVE tells it, the JOIN right after it is not shown again', (t) => {
  const leave: PublicEvent = { type: 'LEAVE', seq: 7, time: TIME, nick: 'alice', text: 'nick changed to bob' };
  const join: PublicEvent = { type: 'JOIN', seq: 8, time: TIME, nick: 'bob', text: '' };
  t.is(displayPublicEvent(leave, plain), '[12:01:02] * alice is now known as bob');
  t.true(completesNickChange(leave, join));
  t.false(completesNickChange(undefined, join), 'a JOIN alone is a join');
  t.false(completesNickChange(leave, { ...join, seq: 9 }), 'not right after the LEAVE');
  t.false(completesNickChange(leave, { ...join, nick: 'carol' }), 'another user joining');
  const quit: PublicEvent = { ...leave, text: 'quit: nick changed to bob' };
  t.is(displayPublicEvent(quit, plain), '[12:01:02] <-- alice left (quit: nick changed to bob)');
  t.false(completesNickChange(quit, join), 'a quit reason that only looks like it');
  t.is(
    displayPublicEvent({ ...leave, text: 'nick changed to b@d' }, plain),
    '[12:01:02] <-- alice left (nick changed to b@d)',
    'not a nick: shown as it came',
  );
});

test('marks DMs, both ways', (t) => {
  t.is(displayReceivedDm({ time: TIME, from: 'bob', text: 'psst' }, plain), '[12:01:02] *bob* psst');
  t.is(displaySentDm('bob', 'psst', new Date(TIME), plain), '[12:01:02] -> *bob* psst');
});

test('server errors read as one line with the code; client errors as their message', (t) => {
  t.is(displayError(new ServerReplyError('NICK_TAKEN', 'nick is taken'), plain), '! nick is taken (NICK_TAKEN)');
  t.is(displayError(new ServerReplyError('RATE_LIMITED', ''), plain), '! too many lines, slow down (RATE_LIMITED)');
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  t.is(
    displayError(new ConnectFailedError('127.0.0.1:1', 1, refused), plain),
    '! cannot connect to 127.0.0.1:1: connection refused (after 1 attempt)',
  );
  t.is(displayStatus('connected to worker 3 as alice', plain), '* connected to worker 3 as alice');
});

test('text from the server cannot carry escape sequences to the terminal', (t) => {
  const hostile = event('MSG', 'bo\x1b[2Jb', 'hi\x1b]0;pwned\x07 there\r\n\x9b');
  const line = displayPublicEvent(hostile, plain);
  t.is(line, '[12:01:02] <bo\ufffd[2Jb> hi\ufffd]0;pwned\ufffd there\ufffd\ufffd\ufffd');
  t.false(/(?!\t)\p{Cc}/u.test(line));
  t.false(displayReceivedDm({ time: TIME, from: 'x', text: '\x1b[31mred' }, plain).includes('\x1b'));
  t.false(displayError(new ServerReplyError('BAD\x1b', 'text\x1b[1m'), plain).includes('\x1b'));
  t.false(displayStatus('bye: \x1b[5m', plain).includes('\x1b'));
});

test('text from the server cannot reorder or hide itself on the screen (bidi overrides, invisible characters)', (t) => {
  const trojan = event('MSG', 'bob', 'pay \u202e0001\u202c to \u2066alice\u2069\u200b\ufeff');
  t.is(displayPublicEvent(trojan, plain), '[12:01:02] <bob> pay \ufffd0001\ufffd to \ufffdalice\ufffd\ufffd\ufffd');
  t.is(displayReceivedDm({ time: TIME, from: 'x', text: 'a\u2028b\u061c' }, plain), '[12:01:02] *x* a\ufffdb\ufffd');
});

test('with color off nothing but text is written; with color on joins are dimmed and nicks colored', (t) => {
  t.false(displayPublicEvent(event('MSG', 'bob', 'hi'), plain).includes('\x1b'));
  t.is(displayPublicEvent(event('JOIN', 'bob', ''), colored), '\x1b[2m[12:01:02] --> bob joined\x1b[0m');
  t.is(displayPublicEvent(event('MSG', 'bob', 'hi'), colored), `[12:01:02] \x1b[${nickColor('bob')}m<bob>\x1b[0m hi`);
});

test('a nick keeps its color, whatever its case, and nicks spread over the palette', (t) => {
  t.is(nickColor('Alice'), nickColor('alice'));
  t.is(nickColor('alice'), nickColor('alice'));
  const colors = new Set(['alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'trent', 'peggy'].map(nickColor));
  t.true(colors.size >= 4, `only ${colors.size} colors for 8 nicks`);
});

test('colors only on a TTY, not with --no-color, not with NO_COLOR set', (t) => {
  t.true(shouldUseColor({ flag: true, isTTY: true, env: {} }));
  t.false(shouldUseColor({ flag: true, isTTY: false, env: {} }));
  t.false(shouldUseColor({ flag: false, isTTY: true, env: {} }));
  t.false(shouldUseColor({ flag: true, isTTY: true, env: { NO_COLOR: '1' } }));
  t.true(shouldUseColor({ flag: true, isTTY: true, env: { NO_COLOR: '' } }));
});
