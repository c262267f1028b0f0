/**
 * One clock for every bench process: process.hrtime reads CLOCK_MONOTONIC, which all processes on
 * a machine share, so a timestamp taken in one load generator means the same in another.
 */
export function nowMicros(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + Math.floor(nanos / 1e3);
}
