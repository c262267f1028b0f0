/** The primary's gathering of /metrics: its own registry merged with what the workers send back. */
import test from 'ava';
import { Counter, Registry } from 'prom-client';
import sinon from 'sinon';
import type { MetricsSnapshot } from '../../src/bus/messages.js';
import { MetricsGatherer } from '../../src/metrics/metrics-gatherer.js';

async function counterSnapshot(value: number): Promise<MetricsSnapshot> {
  const registry = new Registry();
  new Counter({ name: 'clusterchat_deliveries_total', help: 'lines', registers: [registry] }).inc(value);
  return registry.getMetricsAsJSON();
}

test('the workers asked are merged with the primary: counters summed', async (t) => {
  const own = new Registry();
  new Counter({ name: 'clusterchat_messages_total', help: 'messages', registers: [own] }).inc(5);
  const asked: number[] = [];
  const gatherer = new MetricsGatherer(
    own,
    (id) => {
      asked.push(id);
      return [1, 2];
    },
    1_000,
  );
  const page = gatherer.page();
  await new Promise(setImmediate);
  gatherer.received(1, asked[0] ?? 0, await counterSnapshot(3));
  gatherer.received(2, asked[0] ?? 0, await counterSnapshot(4));
  const { body, contentType } = await page;
  t.regex(contentType, /^text\/plain/);
  t.regex(body, /^clusterchat_messages_total 5$/m);
  t.regex(body, /^clusterchat_deliveries_total 7$/m);
});

test.serial('a worker that does not answer in time is left out; a late answer is ignored', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => {
    clock.restore();
  });
  const gatherer = new MetricsGatherer(new Registry(), () => [1, 2], 1_000);
  const page = gatherer.page();
  gatherer.received(1, 1, await counterSnapshot(3));
  clock.tick(1_000);
  t.regex((await page).body, /^clusterchat_deliveries_total 3$/m);
  const late = await counterSnapshot(100);
  t.notThrows(() => {
    gatherer.received(2, 1, late);
  });
});
