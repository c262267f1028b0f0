/**
 * HISTORY answered by the worker from its ring: produced when it reaches the head of the
 * connection's replies, written only while the connection takes it, events arriving meanwhile
 * after its OK.
 */
import test from 'ava';
import sinon from 'sinon';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { sessionHarness } from '../helpers/session-harness.js';

test.afterEach.always(() => {
  sinon.restore();
});

const line = (seq: number, text = 'hello') => `MSG ${seq} 2026-11-24T11:09:21.123Z a ${text}\n`;

function ringOf(from: number, to: number, text?: string): HistoryRing {
  const ring = new HistoryRing(1000);
  for (let seq = from; seq <= to; seq++) ring.push(seq, line(seq, text));
  return ring;
}

test.serial('HISTORY n and HISTORY SINCE replay retained events, then OK with the count', (t) => {
  const { transport, send } = sessionHarness({}, ringOf(43, 45));
  send('HISTORY 2\nHISTORY 50\nHISTORY SINCE 44\nHISTORY SINCE 0\nHISTORY SINCE 45\nHISTORY 0\n');
  t.is(
    transport.written,
    [
      line(44) + line(45) + 'OK 2\n',
      line(43) + line(44) + line(45) + 'OK 3\n',
      line(45) + 'OK 1\n',
      line(43) + line(44) + line(45) + 'OK 3\n',
      'OK 0\n',
      'OK 0\n',
    ].join(''),
  );
});

test.serial('HISTORY is produced when it reaches the head of the replies: MSG then HISTORY 1 replays that MSG', (t) => {
  const history = ringOf(40, 42);
  const { transport, session, send, register } = sessionHarness({}, history);
  register('a');
  send('MSG hi\nHISTORY 1\n');
  t.is(transport.lines().at(-1), 'OK a', 'the HISTORY waits behind the MSG');
  // The hub's answer, as the connection table applies it: the event into the ring and out, then the OK.
  history.push(43, line(43, 'hi'));
  session.deliver(line(43, 'hi'));
  session.reply('OK 43\n');
  t.deepEqual(transport.lines().slice(1), [line(43, 'hi').trim(), 'OK 43', line(43, 'hi').trim(), 'OK 1']);
});

test.serial('a HISTORY reply is written only while the client takes it; events meanwhile follow its OK', (t) => {
  const text = 'x'.repeat(4000);
  const history = ringOf(1, 100, text);
  const { transport, session, send, register } = sessionHarness({ softQueue: 20_000 }, history);
  transport.highWaterMark = 16 * 1024;
  register('a');
  send('HISTORY 100\nPING after\n');
  t.true(transport.bufferedBytes < 20_000 + 16 * 1024 + 4100, `${transport.bufferedBytes} bytes out at once`);
  t.true(transport.paused, 'its commands wait');
  // Public events for everyone go on meanwhile; this client gets them after the reply.
  for (const seq of [101, 102]) {
    history.push(seq, line(seq));
    session.deliver(line(seq));
  }
  for (let reads = 0; reads < 100 && !transport.lines().includes('OK after'); reads++) transport.take();
  const seqs = transport.lines().map((l) => (l.startsWith('MSG ') ? l.split(' ')[1] : l));
  t.deepEqual(seqs, [
    'OK a',
    ...Array.from({ length: 100 }, (_, i) => String(i + 1)),
    'OK 100',
    '101',
    '102',
    'OK after',
  ]);
  t.false(transport.paused);
});

test.serial('40 × HISTORY 1000 of 4 KiB events from a client that reads nothing cost about the soft limit', (t) => {
  const history = ringOf(1, 1000, 'x'.repeat(4000));
  const { transport, requests, send } = sessionHarness(
    { softQueue: 64 * 1024, rateLimit: 1000, rateBurst: 1000 },
    history,
  );
  // A transport that takes everything (a socket whose kernel buffers are still empty).
  send('HISTORY 1000\n'.repeat(40));
  const out = transport.bufferedBytes;
  t.true(out > 64 * 1024 && out < 64 * 1024 + 20 * 1024, `${out} bytes written, of 160 MB asked for`);
  t.deepEqual(requests, [], 'the hub is not asked');
  t.true(transport.paused);
});
