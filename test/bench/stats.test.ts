import test from 'ava';
import {
  bucketOf,
  bucketUpperBound,
  HISTOGRAM_BUCKETS,
  LatencyHistogram,
  summarizeLatency,
} from '../../bench/stats.js';

test('small values are counted exactly', (t) => {
  for (const micros of [0, 1, 64, 127]) t.is(bucketUpperBound(bucketOf(micros)), micros);
});

test('every value lands in a bucket whose upper bound is at most 1.6 % above it', (t) => {
  for (const micros of [128, 129, 1000, 4_999, 50_000, 1_234_567, 2 ** 30]) {
    const upper = bucketUpperBound(bucketOf(micros));
    t.true(upper >= micros, `${micros} → ${upper}`);
    t.true(upper <= micros * 1.016, `${micros} → ${upper}`);
  }
});

test('buckets are ordered and the last one takes anything longer', (t) => {
  let previous = -1;
  for (let micros = 0; micros < 5_000_000; micros = Math.floor(micros * 1.01) + 1) {
    const bucket = bucketOf(micros);
    t.true(bucket >= previous);
    previous = bucket;
  }
  t.is(bucketOf(Number.MAX_SAFE_INTEGER), HISTOGRAM_BUCKETS - 1);
  t.is(bucketOf(-5), 0);
});

test('percentiles come from the recorded values, capped by the exact maximum', (t) => {
  const histogram = new LatencyHistogram();
  for (let micros = 1; micros <= 1000; micros++) histogram.record(micros * 10);
  const p50 = histogram.percentile(0.5);
  t.true(p50 >= 5000 && p50 <= 5000 * 1.016, String(p50));
  t.is(histogram.percentile(1), 10_000);
  t.deepEqual(summarizeLatency(histogram).maxMs, 10);
});

test('an empty histogram has no percentiles', (t) => {
  t.true(Number.isNaN(new LatencyHistogram().percentile(0.99)));
});

test('histograms merge through their sparse form, as they cross process boundaries', (t) => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  a.record(100);
  b.record(100);
  b.record(90_000);
  const merged = LatencyHistogram.fromSparse(a.toSparse(), a.maxMicros);
  merged.merge(LatencyHistogram.fromSparse(b.toSparse(), b.maxMicros));
  t.is(merged.count, 3);
  t.is(merged.maxMicros, 90_000);
  t.is(merged.percentile(0.5), 100);
});
