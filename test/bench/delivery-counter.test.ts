import test from 'ava';
import { createDeliveryCounter } from '../../bench/delivery-counter.js';
import { makePayload, MIN_PAYLOAD_BYTES, readTimestamp, readTimestampFromText } from '../../bench/payload.js';
import { LatencyHistogram } from '../../bench/stats.js';

const stream = [
  'WELCOME chat/1 1 0 ep0ch',
  'JOIN 1 2026-11-24T11:09:21.123Z b0',
  'OK b0',
  `MSG 2 2026-11-24T11:09:21.124Z b0 ${makePayload(1_000, 64)}`,
  'OK 2',
  `MSG 3 2026-11-24T11:09:21.125Z b1 ${makePayload(2_000, 64)}`,
  'BYE server shutting down',
]
  .map((line) => `${line}\n`)
  .join('');

/** Feeds `text` in chunks of `size` bytes, cutting lines (and timestamps) anywhere. */
function feed(push: (chunk: Buffer) => void, text: string, size: number): void {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) push(bytes.subarray(i, i + size));
}

for (const chunkSize of [1, 3, 17, 4096]) {
  test(`lines are counted by their first byte whatever the chunking (${chunkSize}-byte chunks)`, (t) => {
    const counter = createDeliveryCounter();
    feed(
      (chunk) => {
        counter.push(chunk);
      },
      stream,
      chunkSize,
    );
    t.like(counter, { msgs: 2, joins: 1, oks: 2, errors: 0, welcomes: 1, byes: 1 });
  });

  test(`a sampled counter decodes every MSG's send time (${chunkSize}-byte chunks)`, (t) => {
    const latencies = new LatencyHistogram();
    const counter = createDeliveryCounter(latencies);
    feed(
      (chunk) => {
        counter.push(chunk);
      },
      stream,
      chunkSize,
    );
    t.like(counter, { msgs: 2, joins: 1, oks: 2 });
    t.is(latencies.count, 2);
  });
}

test('a payload has the requested size and gives its timestamp back', (t) => {
  const payload = makePayload(1_234_567_890_123, 64);
  t.is(payload.length, 64);
  t.is(readTimestampFromText(payload), 1_234_567_890_123);
  t.is(readTimestamp(Buffer.from(payload), 0, payload.length), 1_234_567_890_123);
  t.is(makePayload(42, MIN_PAYLOAD_BYTES).length, MIN_PAYLOAD_BYTES);
});

test('text without a timestamp yields -1', (t) => {
  t.is(readTimestampFromText('hello'), -1);
  t.is(readTimestampFromText('@;x'), -1);
  t.is(readTimestamp(Buffer.from('@12x4;'), 0, 6), -1);
});
