/**
 * When to try again after a failed connection attempt: exponential growth with "equal jitter"
 * (half the delay fixed, half random), so a crowd of clients dropped by the same dead worker
 * does not come back in lockstep, yet every client still waits at least half the nominal delay.
 */
export interface BackoffOptions {
  /** Nominal delay before the second attempt, in ms. */
  initialDelayMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** No nominal delay exceeds this, in ms. */
  maxDelayMs: number;
  /** A number in [0, 1); replaceable so tests can pin the jitter. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 250,
  factor: 2,
  maxDelayMs: 8_000,
  random: Math.random,
};

export class Backoff {
  readonly #options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}) {
    const merged = { ...DEFAULT_BACKOFF, ...options };
    for (const name of ['initialDelayMs', 'maxDelayMs'] as const) {
      if (!(Number.isFinite(merged[name]) && merged[name] > 0))
        throw new RangeError(`${name} must be a positive number`);
    }
    if (!(Number.isFinite(merged.factor) && merged.factor >= 1)) throw new RangeError('factor must be a number >= 1');
    this.#options = merged;
  }

  /** The nominal (jitter-free) delay after `failures` failed attempts (1 = the first failure). */
  nominalDelay(failures: number): number {
    const { initialDelayMs, factor, maxDelayMs } = this.#options;
    return Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, failures - 1));
  }

  /** The delay to wait after `failures` failed attempts: in [nominal / 2, nominal). */
  delay(failures: number): number {
    const nominal = this.nominalDelay(failures);
    return Math.round(nominal / 2 + (nominal / 2) * this.#options.random());
  }
}
