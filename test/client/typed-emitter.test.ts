import test from 'ava';
import { TypedEmitter } from '../../src/client/typed-emitter.js';

interface Events {
  tick: [number];
  pair: [string, boolean];
}

class Ticker extends TypedEmitter<Events> {
  fire<K extends keyof Events>(name: K, ...args: Events[K]): boolean {
    return this.emit(name, ...args);
  }
}

test('calls listeners in the order added, with the arguments emitted', (t) => {
  const ticker = new Ticker();
  const calls: string[] = [];
  ticker.on('pair', (text, flag) => calls.push(`a ${text} ${String(flag)}`));
  ticker.on('pair', (text) => calls.push(`b ${text}`));
  t.true(ticker.fire('pair', 'x', true));
  t.deepEqual(calls, ['a x true', 'b x']);
  t.false(ticker.fire('tick', 1), 'no listener: emit says so');
});

test('once listeners run a single time; off removes the latest registration', (t) => {
  const ticker = new Ticker();
  const seen: number[] = [];
  const listener = (n: number) => seen.push(n);
  ticker.once('tick', (n) => seen.push(n * 10));
  ticker.on('tick', listener);
  ticker.on('tick', listener);
  ticker.fire('tick', 1);
  ticker.off('tick', listener);
  ticker.fire('tick', 2);
  t.deepEqual(seen, [10, 1, 1, 2]);
  t.is(ticker.listenerCount('tick'), 1);
});

test('the listeners present when emit starts are the ones called', (t) => {
  const ticker = new Ticker();
  const seen: string[] = [];
  const late = () => seen.push('late');
  const second = () => seen.push('second');
  ticker.on('tick', () => {
    seen.push('first');
    ticker.on('tick', late);
    ticker.off('tick', second);
  });
  ticker.on('tick', second);
  ticker.fire('tick', 0);
  t.deepEqual(seen, ['first', 'second']);
  ticker.fire('tick', 0);
  t.deepEqual(seen, ['first', 'second', 'first', 'late']);
});
