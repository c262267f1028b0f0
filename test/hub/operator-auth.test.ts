import test from 'ava';
import { OperatorAuth } from '../../src/hub/operator-auth.js';
import { silentLogger } from '../../src/log.js';

const TOKEN = 'correct-horse-battery-staple';

test('the right token, and only it, passes; a prefix or a longer text does not', (t) => {
  const auth = new OperatorAuth(TOKEN, silentLogger);
  t.deepEqual(auth.attempt('a', TOKEN, 'c1'), { ok: true });
  for (const wrong of ['', 'correct', `${TOKEN}!`, TOKEN.toUpperCase()]) {
    t.deepEqual(auth.attempt(wrong === '' ? 'b' : `x${wrong}`, wrong, 'c1'), { ok: false, text: 'wrong token' });
  }
});

test('a server without a token refuses every AUTH', (t) => {
  const auth = new OperatorAuth('', silentLogger);
  t.deepEqual(auth.attempt('a', '', 'c1'), { ok: false, text: 'this server has no operators' });
  t.deepEqual(auth.attempt('b', 'anything', 'c1'), { ok: false, text: 'this server has no operators' });
});

test('the lockout doubles with each failure up to 15 minutes, and holds even for the right token', (t) => {
  const clock = { now: 0 };
  const logged: string[] = [];
  const log = { ...silentLogger, warn: (line: string) => logged.push(line) };
  const auth = new OperatorAuth(TOKEN, log, () => clock.now);
  const locks: number[] = [];
  for (let failure = 1; failure <= 16; failure++) {
    t.deepEqual(auth.attempt('203.0.113.5', 'guess', 'c'), { ok: false, text: 'wrong token' });
    const seconds = Number(/refused from this address for (\d+) s$/.exec(logged.at(-1) ?? '')?.[1] ?? 0);
    locks.push(seconds);
    if (seconds > 0) {
      clock.now += seconds * 1000 - 1;
      t.false(auth.attempt('203.0.113.5', TOKEN, 'c').ok, `still locked just before ${seconds} s`);
      clock.now += 1;
    }
  }
  t.deepEqual(locks, [0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
  t.true(
    logged.every((line) => line.includes('203.0.113.5')),
    'every line names the address',
  );
});

test('failures are forgotten after a quiet hour, and the address with them', (t) => {
  const clock = { now: 0 };
  const auth = new OperatorAuth(TOKEN, silentLogger, () => clock.now);
  for (let i = 0; i < 3; i++) auth.attempt('203.0.113.5', 'guess', 'c');
  t.is(auth.size, 1);
  clock.now += 3_600_000;
  t.false(auth.attempt('203.0.113.5', 'guess', 'c').ok);
  t.deepEqual(auth.attempt('203.0.113.5', TOKEN, 'c'), { ok: true }, 'one failure after a quiet hour locks nothing');
  clock.now += 3_600_000;
  auth.attempt('198.51.100.1', 'guess', 'c');
  t.is(auth.size, 1, 'the quiet address was swept');
});
