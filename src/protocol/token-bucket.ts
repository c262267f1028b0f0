/**
 * A token bucket: `rate` tokens per second, at most `burst` saved up. The server limits each
 * connection with it; the console client paces its own input with it to stay under that limit.
 */
import { checkPositiveNumber } from '../option-checks.js';

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  constructor(rate: number, burst: number, now: () => number = Date.now) {
    this.#rate = checkPositiveNumber('rate', rate);
    this.#burst = checkPositiveNumber('burst', burst);
    this.#now = now;
    this.#tokens = burst;
    this.#updated = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether it holds its whole burst again, as good as a new one (so it can be forgotten). */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.#burst;
  }

  /** Milliseconds until `take()` can succeed (0 when it can now). */
  msUntilToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.#rate);
  }

  #refill(): void {
    const now = this.#now();
    if (now > this.#updated) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updated) * this.#rate) / 1000);
      this.#updated = now;
    }
  }
}
