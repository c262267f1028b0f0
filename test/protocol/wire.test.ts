import test from 'ava';
import { decodeLine } from '../../src/protocol/decode-line.js';
import { sanitize } from '../../src/protocol/text.js';
import {
  formatPublicEvent,
  formatWelcome,
  isReply,
  parseServerLine,
  type PublicEvent,
} from '../../src/protocol/wire.js';

const time = '2026-11-24T11:09:21.123Z';

test('public events round-trip through format and parse', (t) => {
  const events: PublicEvent[] = [
    { type: 'MSG', seq: 43, time, nick: 'alice', text: 'hello, world' },
    { type: 'JOIN', seq: 42, time, nick: 'alice', text: '' },
    { type: 'LEAVE', seq: 44, time, nick: 'bob', text: 'quit: bye now' },
    { type: 'ANNOUNCE', seq: 45, time, nick: '', text: 'maintenance at noon' },
  ];
  for (const event of events) {
    const line = formatPublicEvent(event);
    t.true(line.endsWith('\n'));
    t.deepEqual(parseServerLine(line.slice(0, -1)), { kind: 'public', event });
  }
});

test('formats the contract example lines exactly', (t) => {
  t.is(formatWelcome(2, 41, 'k3x9q'), 'WELCOME chat/1 2 41 k3x9q\n');
  t.is(formatPublicEvent({ type: 'JOIN', seq: 42, time, nick: 'alice', text: '' }), `JOIN 42 ${time} alice\n`);
});

test('tells replies from events by the first word', (t) => {
  t.true(isReply('OK'));
  t.true(isReply('OK 43'));
  t.true(isReply('ERROR NICK_TAKEN nick alice is taken'));
  t.false(isReply('OKAY'));
  t.false(isReply(`MSG 1 ${time} OK hi`));
  t.deepEqual(parseServerLine('ERROR BAD_ARGS usage: x'), { kind: 'error', code: 'BAD_ARGS', text: 'usage: x' });
});

test('parses WELCOME, DM, PING and BYE', (t) => {
  t.deepEqual(parseServerLine('WELCOME chat/1 3 0 abc'), {
    kind: 'welcome',
    protocol: 'chat/1',
    workerId: 3,
    lastSeq: 0,
    epoch: 'abc',
  });
  t.deepEqual(parseServerLine(`DM ${time} bob psst there`), { kind: 'dm', time, from: 'bob', text: 'psst there' });
  t.deepEqual(parseServerLine('PING x1'), { kind: 'ping', token: 'x1' });
  t.deepEqual(parseServerLine('BYE kicked: spam'), { kind: 'bye', reason: 'kicked: spam' });
  t.is(parseServerLine('MSG notanumber x y z').kind, 'unknown');
});

test('decodeLine refuses invalid UTF-8 and control characters, but allows TAB', (t) => {
  t.deepEqual(decodeLine(Buffer.from('héllo\tworld')), { ok: true, text: 'héllo\tworld' });
  t.deepEqual(decodeLine(Buffer.from([0x61, 0xff, 0x62])), { ok: false, code: 'BAD_ENCODING' });
  t.deepEqual(decodeLine(Buffer.from([0xc3])), { ok: false, code: 'BAD_ENCODING' });
  for (const bad of ['\u0000', '\u001b[31m', '\u0007', '\u007f', '\u0085', '\u009b']) {
    t.deepEqual(decodeLine(Buffer.from(`a${bad}b`)), { ok: false, code: 'BAD_TEXT' }, JSON.stringify(bad));
  }
});

/** Bidirectional controls and invisible characters: they make a line read differently from what it holds. */
const BIDI_AND_INVISIBLE = [
  ...['\u202a', '\u202b', '\u202c', '\u202d', '\u202e'],
  ...['\u2066', '\u2067', '\u2068', '\u2069'],
  ...['\u200b', '\u200c', '\u200d', '\u200e', '\u200f'],
  ...['\u2028', '\u2029', '\ufeff', '\u061c'],
];

test('decodeLine refuses bidirectional controls and invisible characters as BAD_TEXT', (t) => {
  for (const bad of BIDI_AND_INVISIBLE) {
    t.deepEqual(
      decodeLine(Buffer.from(`access = "user\u202e ${bad} admin"`)),
      { ok: false, code: 'BAD_TEXT' },
      escape(bad),
    );
    t.deepEqual(decodeLine(Buffer.from(`a${bad}b`)), { ok: false, code: 'BAD_TEXT' }, escape(bad));
  }
  for (const fine of ['\u2027', '\u202f', '\u2065', '\u206a', '\u200a', '\u2010', 'שלום', 'مرحبا', 'héllo 👋']) {
    t.deepEqual(decodeLine(Buffer.from(`a${fine}b`)), { ok: true, text: `a${fine}b` }, escape(fine));
  }
});

test('sanitize replaces every control, bidirectional and invisible character', (t) => {
  t.is(sanitize('a\u001b[2Jb\u009bc\td'), 'a\ufffd[2Jb\ufffdc\td');
  t.is(sanitize(`x${BIDI_AND_INVISIBLE.join('')}y`), `x${'\ufffd'.repeat(BIDI_AND_INVISIBLE.length)}y`);
  t.is(sanitize('مرحبا שלום'), 'مرحبا שלום', 'right-to-left text itself is fine');
});

function escape(text: string): string {
  return Array.from(text, (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}
