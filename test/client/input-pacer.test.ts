import test from 'ava';
import sinon from 'sinon';
import { InputPacer } from '../../src/client/input-pacer.js';

test.afterEach.always(() => {
  sinon.restore();
});

test.serial('lets a burst through at once, then paces the rest at the rate, in order, and ends last', (t) => {
  const clock = sinon.useFakeTimers({ now: 0 });
  const out: string[] = [];
  const pacer = new InputPacer({ line: (text) => out.push(text), end: () => out.push('<end>') }, 20, 40);
  for (let i = 0; i < 100; i++) pacer.push(`l${i}`);
  pacer.end();
  t.is(out.length, 40);
  clock.tick(1000);
  t.is(out.length, 60, '20 more per second');
  clock.tick(2000);
  t.deepEqual(out, [...Array.from({ length: 100 }, (_, i) => `l${i}`), '<end>']);
});

test.serial('stop drops what waits', (t) => {
  const clock = sinon.useFakeTimers({ now: 0 });
  const out: string[] = [];
  const pacer = new InputPacer({ line: (text) => out.push(text), end: () => out.push('<end>') }, 1, 1);
  pacer.push('a');
  pacer.push('b');
  pacer.stop();
  clock.tick(5000);
  t.deepEqual(out, ['a']);
});
