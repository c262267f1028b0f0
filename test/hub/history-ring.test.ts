import test from 'ava';
import { HistoryRing } from '../../src/hub/history-ring.js';

test('keeps only the last `capacity` events and finds them by seq', (t) => {
  const ring = new HistoryRing(3);
  for (let seq = 10; seq <= 15; seq++) ring.push(seq, `e${seq}`);
  t.is(ring.size, 3);
  t.deepEqual(ring.last(2), ['e14', 'e15']);
  t.deepEqual(ring.last(10), ['e13', 'e14', 'e15']);
  t.deepEqual(ring.since(13), ['e14', 'e15']);
  t.deepEqual(ring.since(5), ['e13', 'e14', 'e15']);
  t.deepEqual(ring.since(15), []);
  t.deepEqual(ring.since(99), []);
  t.deepEqual(ring.last(0), []);
});

test('finds events by seq across holes left by a damaged history file', (t) => {
  const ring = new HistoryRing(4);
  for (const seq of [3, 4, 7, 8, 9]) ring.push(seq, `e${seq}`);
  t.deepEqual(ring.since(4), ['e7', 'e8', 'e9']);
  t.deepEqual(ring.since(5), ['e7', 'e8', 'e9']);
  t.deepEqual(ring.since(8), ['e9']);
  t.deepEqual(ring.since(0), ['e4', 'e7', 'e8', 'e9']);
});
