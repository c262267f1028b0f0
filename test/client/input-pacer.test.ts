import test from 'ava';
import sinon from 'sinon';
import { InputPacer } from '../../src/client/input-pacer.js';

/** A pacer whose output, end and pacing notice are recorded in order in `out`. */
function recordedPacer(rate: number, burst: number): { pacer: InputPacer; out: string[] } {
  const out: string[] = [];
  const record = (text: string) => () => out.push(text);
  const pacer = new InputPacer(
    { line: (text) => out.push(text), end: record('<end>'), pacing: record('<pacing>') },
    rate,
    burst,
  );
  return { pacer, out };
}

test.afterEach.always(() => {
  sinon.restore();
});

test.serial('lets a burst through at once, then paces the rest at the rate, in order, and ends last', (t) => {
  const clock = sinon.useFakeTimers({ now: 0 });
  const { pacer, out } = recordedPacer(20, 40);
  for (let i = 0; i < 100; i++) pacer.push(`l${i}`);
  pacer.end();
  t.is(out.length, 41);
  t.is(out[40], '<pacing>', 'told once, when the first line has to wait');
  clock.tick(1000);
  t.is(out.length, 61, '20 more per second');
  clock.tick(2000);
  t.deepEqual(out, [
    ...Array.from({ length: 40 }, (_, i) => `l${i}`),
    '<pacing>',
    ...Array.from({ length: 60 }, (_, i) => `l${i + 40}`),
    '<end>',
  ]);
});

test.serial('stop drops what waits', (t) => {
  const clock = sinon.useFakeTimers({ now: 0 });
  const { pacer, out } = recordedPacer(1, 1);
  pacer.push('a');
  pacer.push('b');
  pacer.stop();
  clock.tick(5000);
  t.deepEqual(out, ['a', '<pacing>']);
});

test.serial('input within the burst is not paced, and says nothing', (t) => {
  sinon.useFakeTimers({ now: 0 });
  const { pacer, out } = recordedPacer(20, 40);
  for (let i = 0; i < 40; i++) pacer.push(`l${i}`);
  pacer.end();
  t.false(out.includes('<pacing>'));
  t.is(out.at(-1), '<end>');
});
