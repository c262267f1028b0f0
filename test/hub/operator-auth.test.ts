import test from 'ava';
import type { Connection } from '../../src/hub/admitted-connections.js';
import { OperatorAuth } from '../../src/hub/operator-auth.js';
import { silentLogger } from '../../src/log.js';

const TOKEN = 'correct-horse-battery-staple';

/** A fresh connection from `address`: each attempt below is its own connection, as a reconnecting guesser's. */
function on(address: string): Connection {
  return { address, operator: false, authFailures: 0, closing: false };
}

test('the right token, and only it, passes; a prefix or a longer text does not', (t) => {
  const auth = new OperatorAuth(TOKEN, silentLogger);
  t.deepEqual(auth.attempt(on('a'), TOKEN, 'c1'), { ok: true });
  for (const wrong of ['', 'correct', `${TOKEN}!`, TOKEN.toUpperCase()]) {
    t.deepEqual(auth.attempt(on(wrong === '' ? 'b' : `x${wrong}`), wrong, 'c1'), {
      ok: false,
      text: 'wrong token',
      close: false,
    });
  }
});

test('a server without a token refuses every AUTH', (t) => {
  const auth = new OperatorAuth('', silentLogger);
  t.deepEqual(auth.attempt(on('a'), '', 'c1'), { ok: false, text: 'this server has no operators', close: false });
  t.deepEqual(auth.attempt(on('b'), 'anything', 'c1'), {
    ok: false,
    text: 'this server has no operators',
    close: false,
  });
});

test('the lockout doubles with each failure up to 15 minutes, and holds even for the right token', (t) => {
  const clock = { now: 0 };
  const logged: string[] = [];
  const log = { ...silentLogger, warn: (line: string) => logged.push(line) };
  const auth = new OperatorAuth(TOKEN, log, () => clock.now);
  const locks: number[] = [];
  for (let failure = 1; failure <= 16; failure++) {
    t.deepEqual(auth.attempt(on('203.0.113.5'), 'guess', 'c'), { ok: false, text: 'wrong token', close: false });
    const seconds = Number(/refused from this address for (\d+) s$/.exec(logged.at(-1) ?? '')?.[1] ?? 0);
    locks.push(seconds);
    if (seconds > 0) {
      clock.now += seconds * 1000 - 1;
      t.false(auth.attempt(on('203.0.113.5'), TOKEN, 'c').ok, `still locked just before ${seconds} s`);
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
  for (let i = 0; i < 3; i++) auth.attempt(on('203.0.113.5'), 'guess', 'c');
  t.is(auth.size, 1);
  clock.now += 3_600_000;
  t.false(auth.attempt(on('203.0.113.5'), 'guess', 'c').ok);
  t.deepEqual(
    auth.attempt(on('203.0.113.5'), TOKEN, 'c'),
    { ok: true },
    'one failure after a quiet hour locks nothing',
  );
  clock.now += 3_600_000;
  auth.attempt(on('198.51.100.1'), 'guess', 'c');
  t.is(auth.size, 1, 'the quiet address was swept');
});

test('on one connection, the third failure is its last strike; later AUTHs are refused unchecked', (t) => {
  const auth = new OperatorAuth(TOKEN, silentLogger);
  const connection = on('203.0.113.5');
  t.deepEqual(auth.attempt(connection, 'a', 'c'), { ok: false, text: 'wrong token', close: false });
  t.deepEqual(auth.attempt(connection, 'b', 'c'), { ok: false, text: 'wrong token', close: false });
  t.deepEqual(auth.attempt(connection, 'c', 'c'), { ok: false, text: 'wrong token', close: true });
  t.deepEqual(auth.attempt(connection, TOKEN, 'c'), { ok: false, text: 'too many failed AUTH attempts', close: false });
  const fresh = on('198.51.100.1');
  t.deepEqual(auth.attempt(fresh, TOKEN, 'c'), { ok: true });
  t.true(fresh.operator);
});
