import test from 'ava';
import { PublicStream } from '../../src/client/public-stream.js';
import type { PublicEvent } from '../../src/protocol/index.js';

function msg(seq: number): PublicEvent {
  return { type: 'MSG', seq, time: '2026-11-24T11:09:21.123Z', nick: 'bob', text: `m${seq}` };
}

function setup() {
  const delivered: number[] = [];
  const gaps: Array<[number, number]> = [];
  const stream = new PublicStream({
    event: (event) => delivered.push(event.seq),
    gap: (after, missing) => gaps.push([after, missing]),
  });
  return { stream, delivered, gaps };
}

test('delivers live events once each, in order, dropping repeats', (t) => {
  const { stream, delivered } = setup();
  for (const seq of [1, 2, 2, 3, 1]) stream.accept(msg(seq));
  t.deepEqual(delivered, [1, 2, 3]);
  t.is(stream.lastSeen, 3);
});

test('a held stream merges replayed and live events by seq, skipping what was seen', (t) => {
  const { stream, delivered, gaps } = setup();
  stream.accept(msg(10));
  stream.hold();
  // Live events overtaking the replay, the replay, and our own JOIN again at the end.
  for (const seq of [14, 11, 12, 13, 14, 10]) stream.accept(msg(seq));
  t.deepEqual(delivered, [10], 'nothing is delivered while held');
  const summary = stream.release();
  t.deepEqual(delivered, [10, 11, 12, 13, 14]);
  t.deepEqual(summary, { delivered: 4, missing: 0 });
  t.deepEqual(gaps, []);
});

test('a hole in what was replayed is reported as a gap with its size', (t) => {
  const { stream, delivered, gaps } = setup();
  stream.accept(msg(5));
  stream.hold();
  for (const seq of [9, 10]) stream.accept(msg(seq));
  const summary = stream.release();
  t.deepEqual(delivered, [5, 9, 10]);
  t.deepEqual(gaps, [[5, 3]]);
  t.deepEqual(summary, { delivered: 2, missing: 3 });
});

test('nested holds deliver only when the last one is released', (t) => {
  const { stream, delivered } = setup();
  stream.hold();
  stream.hold();
  stream.accept(msg(1));
  stream.release();
  t.deepEqual(delivered, []);
  stream.release();
  t.deepEqual(delivered, [1]);
});

test('after forget() (a new epoch) lower seqs are delivered again, without a gap', (t) => {
  const { stream, delivered, gaps } = setup();
  stream.accept(msg(100));
  stream.forget();
  stream.accept(msg(3));
  stream.accept(msg(4));
  t.deepEqual(delivered, [100, 3, 4]);
  t.deepEqual(gaps, []);
});

test('a history collection returns the replayed events already seen; new ones go to the live stream', (t) => {
  const { stream, delivered } = setup();
  for (const seq of [1, 2, 3]) stream.accept(msg(seq));
  stream.hold();
  const collector = stream.startCollecting();
  for (const seq of [2, 4, 3]) stream.accept(msg(seq));
  const old = stream.stopCollecting(collector);
  stream.release();
  t.deepEqual(
    old.map((event) => event.seq),
    [2, 3],
  );
  t.deepEqual(delivered, [1, 2, 3, 4]);
});

test('abandoned holds deliver nothing and leave the stream live', (t) => {
  const { stream, delivered } = setup();
  stream.accept(msg(1));
  stream.hold();
  stream.accept(msg(2));
  stream.abandonHolds();
  t.false(stream.held);
  stream.accept(msg(2));
  t.deepEqual(delivered, [1, 2]);
});
