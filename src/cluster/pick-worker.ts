/**
 * Which ready worker takes a new connection. Round-robin, except that a worker whose oldest
 * hand-off has gone unacknowledged for longer than `PROMPT_MS` is passed over: a stopped (SIGSTOP)
 * or stuck worker would hold its connections silent until the heartbeat watch kills it, seconds
 * later. When every worker is that slow (a busy moment for all), the least behind takes it, unless
 * even that one has kept a connection waiting so long that the client is better off closed.
 */

/** A worker that has not taken a hand-off within this long is passed over while others are prompt. */
export const PROMPT_MS = 250;
/** Beyond this even the least-behind worker gets no more: the connection waits for one, or is closed. */
export const GIVE_UP_MS = 2_000;

/**
 * `delays[i]` is how long worker i's oldest unacknowledged hand-off has waited (0 if none);
 * `next` is where round-robin stands. Returns the index of the worker to use, or undefined.
 */
export function pickWorker(delays: readonly number[], next: number): number | undefined {
  const count = delays.length;
  for (let step = 0; step < count; step++) {
    const index = (next + step) % count;
    if ((delays[index] ?? Infinity) <= PROMPT_MS) return index;
  }
  let best: number | undefined;
  for (const [index, delay] of delays.entries()) {
    if (delay < GIVE_UP_MS && (best === undefined || delay < (delays[best] ?? Infinity))) best = index;
  }
  return best;
}
