import test from 'ava';
import { HistoryRing } from '../../src/hub/history-ring.js';

const line = (seq: number) => `e${seq}\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join('');

/** Appends the events `from`..`to` as one chunk, as a worker gets a joined broadcast. */
function append(ring: HistoryRing, from: number, to: number): void {
  ring.append(lines(from, to), from, to);
}

test('keeps only the last `capacity` events, whole chunks or one line at a time', (t) => {
  const ring = new HistoryRing(5);
  t.is(ring.size, 0);
  t.is(ring.newestSeq, 0);
  t.is(ring.read(1, 10, 100).count, 0);
  append(ring, 10, 13);
  ring.push(14, line(14));
  append(ring, 15, 17);
  t.is(ring.size, 5);
  t.is(ring.oldestSeq, 13);
  t.is(ring.newestSeq, 17);
  t.deepEqual(ring.read(0, 17, 1000), { text: lines(13, 17), count: 5, first: 13, next: 18 });
  t.is(ring.firstOfLast(2), 16);
  t.is(ring.firstOfLast(4), 14);
  t.is(ring.firstOfLast(99), 13);
  t.is(ring.firstOfLast(0), 18);
});

test('read stops at `to` and at about `budget` characters, on a line boundary, with at least one line', (t) => {
  const ring = new HistoryRing(100);
  append(ring, 1, 10);
  append(ring, 11, 20);
  t.deepEqual(ring.read(3, 5, 1000), { text: lines(3, 5), count: 3, first: 3, next: 6 });
  t.deepEqual(ring.read(8, 14, 1000), { text: lines(8, 14), count: 7, first: 8, next: 15 });
  t.deepEqual(ring.read(8, 20, 10), { text: lines(8, 10), count: 3, first: 8, next: 11 });
  t.deepEqual(ring.read(12, 20, 1), { text: lines(12, 12), count: 1, first: 12, next: 13 });
  t.deepEqual(ring.read(21, 30, 100), { text: '', count: 0, first: 21, next: 31 });
});

test('read goes on across holes left by a damaged history file; pieces stop at them', (t) => {
  const ring = new HistoryRing(100);
  append(ring, 3, 4);
  append(ring, 7, 9);
  ring.push(12, line(12));
  t.deepEqual(ring.read(4, 12, 1000), { text: `${line(4)}${lines(7, 9)}${line(12)}`, count: 5, first: 4, next: 13 });
  t.deepEqual(ring.read(5, 12, 1000), { text: `${lines(7, 9)}${line(12)}`, count: 4, first: 7, next: 13 });
  t.is(ring.firstOfLast(4), 7);
  t.deepEqual(
    [...ring.pieces(1000)],
    [
      { text: lines(3, 4), first: 3, last: 4 },
      { text: lines(7, 9), first: 7, last: 9 },
      { text: line(12), first: 12, last: 12 },
    ],
  );
});

test('pieces cut a large chunk at the budget and skip what is no longer retained', (t) => {
  const ring = new HistoryRing(6);
  append(ring, 1, 8);
  t.is(ring.oldestSeq, 3);
  t.deepEqual(
    [...ring.pieces(7)],
    [
      { text: lines(3, 4), first: 3, last: 4 },
      { text: lines(5, 6), first: 5, last: 6 },
      { text: lines(7, 8), first: 7, last: 8 },
    ],
  );
});
