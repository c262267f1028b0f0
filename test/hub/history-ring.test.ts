import test from 'ava';
import { HistoryRing } from '../../src/hub/history-ring.js';

test('keeps only the last `capacity` events and finds them by seq', (t) => {
  const ring = new HistoryRing(3);
  for (let seq = 10; seq <= 15; seq++) ring.push(seq, `e${seq}`);
  t.is(ring.size, 3);
  t.is(ring.firstSeq, 13);
  t.deepEqual(ring.last(2), ['e14', 'e15']);
  t.deepEqual(ring.last(10), ['e13', 'e14', 'e15']);
  t.deepEqual(ring.since(13), ['e14', 'e15']);
  t.deepEqual(ring.since(5), ['e13', 'e14', 'e15']);
  t.deepEqual(ring.since(15), []);
  t.deepEqual(ring.since(99), []);
  t.deepEqual(ring.last(0), []);
});
