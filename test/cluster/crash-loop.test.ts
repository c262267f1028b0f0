import test from 'ava';
import { CrashLoopDamper, isCrash, type WorkerDeath } from '../../src/cluster/crash-loop.js';

const crash = (uptimeMs: number | undefined): WorkerDeath => ({
  code: 1,
  signal: null,
  killedByPrimary: false,
  uptimeMs,
});
const killed = (uptimeMs: number | undefined): WorkerDeath => ({
  code: null,
  signal: 'SIGKILL',
  killedByPrimary: false,
  uptimeMs,
});

test('what counts as a crash: a failed exit, a fatal signal of its own, a kill by the primary; not a kill from outside', (t) => {
  const death = (code: number | null, signal: string | null, killedByPrimary = false) =>
    isCrash({ code, signal, killedByPrimary, uptimeMs: 0 });
  t.true(death(1, null));
  t.true(death(null, 'SIGSEGV'));
  t.true(death(null, 'SIGABRT'));
  t.true(death(null, 'SIGKILL', true), 'killed by the primary as hung');
  t.false(death(0, null));
  t.false(death(null, 'SIGKILL'));
  t.false(death(null, 'SIGTERM'));
});

test('a worker killed from outside is replaced at once, young or old, however often', (t) => {
  const damper = new CrashLoopDamper();
  const delays = Array.from({ length: 10 }, (_, i) => damper.died(killed(i % 2 === 0 ? undefined : 60_000)));
  t.deepEqual(delays, Array<number>(10).fill(0));
});

test('a healthy long-running worker that crashes is replaced at once', (t) => {
  const damper = new CrashLoopDamper();
  t.deepEqual(
    Array.from({ length: 5 }, () => damper.died(crash(60_000))),
    [0, 0, 0, 0, 0],
  );
});

test('workers crashing young, in a row, are replaced after a delay that doubles up to 10 s', (t) => {
  const damper = new CrashLoopDamper();
  const delays = Array.from({ length: 9 }, (_, i) => damper.died(crash(i % 2 === 0 ? undefined : 200)));
  t.deepEqual(delays, [0, 0, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
});

test('a worker that lives its minimum uptime ends the loop; so does an old one crashing; kills from outside change nothing', (t) => {
  const damper = new CrashLoopDamper();
  for (let i = 0; i < 4; i++) damper.died(crash(undefined));
  damper.survived();
  t.is(damper.died(crash(undefined)), 0);
  t.is(damper.died(crash(100)), 0);
  t.is(damper.died(crash(100)), 500);
  t.is(damper.died(killed(100)), 0);
  t.is(damper.died(crash(100)), 1_000, 'the kill neither counted nor ended the loop');
  t.is(damper.died(crash(5_000)), 0, 'an old worker crashing: not a crash loop');
  t.is(damper.died(crash(100)), 0);
});
