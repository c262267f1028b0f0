/**
 * Latency statistics that stay cheap at millions of samples: a log-linear histogram over whole
 * microseconds (HdrHistogram's layout, about 1.5 % relative precision), mergeable across
 * processes as a plain array of counts.
 */

/** Values below this are counted exactly; above it every power of two gets HALF_SUB buckets. */
const SUB_BUCKETS = 128;
const HALF_SUB = SUB_BUCKETS / 2;
const SUB_BITS = 6; // log2(HALF_SUB)
/** Enough buckets for 2^31 µs (about 35 minutes); anything longer lands in the last one. */
export const HISTOGRAM_BUCKETS = SUB_BUCKETS + (31 - SUB_BITS - 1) * HALF_SUB;

export function bucketOf(micros: number): number {
  const value = Math.max(0, Math.min(Math.floor(micros), 0x7fffffff));
  if (value < SUB_BUCKETS) return value;
  const shift = 31 - Math.clz32(value) - SUB_BITS;
  return Math.min(SUB_BUCKETS + (shift - 1) * HALF_SUB + ((value >>> shift) - HALF_SUB), HISTOGRAM_BUCKETS - 1);
}

/** The largest value that falls into `bucket`: percentiles err on the slow side. */
export function bucketUpperBound(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = Math.floor((bucket - SUB_BUCKETS) / HALF_SUB) + 1;
  const mantissa = ((bucket - SUB_BUCKETS) % HALF_SUB) + HALF_SUB;
  return ((mantissa + 1) << shift) - 1;
}

export class LatencyHistogram {
  count = 0;
  maxMicros = 0;

  readonly counts = new Uint32Array(HISTOGRAM_BUCKETS);

  record(micros: number): void {
    const bucket = bucketOf(micros);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  merge(other: LatencyHistogram): void {
    for (const [i, count] of other.counts.entries()) this.counts[i] = (this.counts[i] ?? 0) + count;
    this.count += other.count;
    this.maxMicros = Math.max(this.maxMicros, other.maxMicros);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMicros = 0;
  }

  /** The value at or below which `fraction` (0..1) of the samples lie, in µs; NaN when empty. */
  percentile(fraction: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (const [i, count] of this.counts.entries()) {
      seen += count;
      if (seen >= rank) return Math.min(bucketUpperBound(i), this.maxMicros);
    }
    return this.maxMicros;
  }

  /** Only the non-empty buckets, as [bucket, count] pairs: small enough for IPC at any rate. */
  toSparse(): Array<[number, number]> {
    const pairs: Array<[number, number]> = [];
    for (const [i, count] of this.counts.entries()) if (count !== 0) pairs.push([i, count]);
    return pairs;
  }

  static fromSparse(pairs: ReadonlyArray<readonly [number, number]>, maxMicros: number): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bucket, count] of pairs) {
      histogram.counts[bucket] = count;
      histogram.count += count;
    }
    histogram.maxMicros = maxMicros;
    return histogram;
  }
}

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatency(histogram: LatencyHistogram): LatencySummary {
  const ms = (micros: number) => micros / 1000;
  return {
    samples: histogram.count,
    p50Ms: ms(histogram.percentile(0.5)),
    p90Ms: ms(histogram.percentile(0.9)),
    p99Ms: ms(histogram.percentile(0.99)),
    maxMs: ms(histogram.count === 0 ? Number.NaN : histogram.maxMicros),
  };
}
