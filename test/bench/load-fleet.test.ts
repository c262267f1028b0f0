import test from 'ava';
import { splitEvenly } from '../../bench/load-fleet.js';

test('clients, senders and rate split over generators differ by at most one', (t) => {
  t.deepEqual(splitEvenly(200, 2), [100, 100]);
  t.deepEqual(splitEvenly(10, 3), [4, 3, 3]);
  t.deepEqual(splitEvenly(1, 2), [1, 0]);
});
