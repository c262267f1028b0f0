import test from 'ava';
import { Backoff } from '../../src/client/backoff.js';

test('the nominal delay doubles per failure and stops at the cap', (t) => {
  const backoff = new Backoff({ initialDelayMs: 100, factor: 2, maxDelayMs: 1_000 });
  t.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => backoff.nominalDelay(n)),
    [100, 200, 400, 800, 1_000, 1_000],
  );
});

test('jitter keeps every delay between half the nominal delay and the nominal delay', (t) => {
  const table: Array<[random: number, failures: number, expected: number]> = [
    [0, 1, 50],
    [0.5, 1, 75],
    [0.999, 1, 100],
    [0, 3, 200],
    [0.25, 3, 250],
    [0, 10, 500],
    [0.999, 10, 1_000],
  ];
  for (const [random, failures, expected] of table) {
    const backoff = new Backoff({ initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, random: () => random });
    t.is(backoff.delay(failures), expected, `random ${random}, failure ${failures}`);
  }
});

test('two clients with different random draws do not retry in lockstep', (t) => {
  const a = new Backoff({ random: () => 0.1 });
  const b = new Backoff({ random: () => 0.9 });
  t.not(a.delay(3), b.delay(3));
});

test('rejects limits that are not positive finite numbers, naming the option', (t) => {
  t.throws(() => new Backoff({ initialDelayMs: 0 }), { message: /initialDelayMs must be a positive number/ });
  t.throws(() => new Backoff({ maxDelayMs: Number.POSITIVE_INFINITY }), {
    message: /maxDelayMs must be a positive number/,
  });
  t.throws(() => new Backoff({ factor: 0.5 }), { message: /factor must be a number >= 1/ });
});
