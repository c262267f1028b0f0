import test from 'ava';
import { GIVE_UP_MS, pickWorker, PROMPT_MS } from '../../src/cluster/pick-worker.js';

test('round-robin among workers that take their hand-offs promptly', (t) => {
  t.deepEqual(
    [0, 1, 2, 3, 4].map((next) => pickWorker([0, 10, PROMPT_MS], next)),
    [0, 1, 2, 0, 1],
  );
});

test('a worker whose oldest hand-off waits too long is passed over', (t) => {
  const delays = [0, 5_000, 30];
  t.deepEqual(
    [0, 1, 2, 3].map((next) => pickWorker(delays, next)),
    [0, 2, 2, 0],
  );
});

test('when every worker is slow the least behind takes it; past the give-up bound nobody does', (t) => {
  t.is(pickWorker([900, 400, 1_500], 0), 1);
  t.is(pickWorker([GIVE_UP_MS, 10_000], 0), undefined);
  t.is(pickWorker([], 0), undefined);
});
