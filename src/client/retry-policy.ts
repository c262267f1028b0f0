/**
 * What a client does once its connection is gone. It ends after QUIT (nothing left to send) or a
 * kick. With a nick question open it waits for the user's answer: that drop (the server's
 * registration timeout, say) was no failed attempt, and a reconnect now would only be dropped
 * again. A ready connection that drops is reported, and ends the client without `reconnect`.
 * Otherwise it tries again after a backoff, and gives up after `retries` failed attempts in a row.
 */
import type { Backoff } from './backoff.js';
import { ConnectFailedError } from './errors.js';

/** A connection gone, as the client saw it. */
interface Drop {
  /** Why, as the user is told: the server's BYE, or what happened to the connection. */
  reason: string;
  error: Error | undefined;
  /** The server's BYE reason, if it said one. */
  bye: string | undefined;
  /** QUIT was sent and no command waits to be sent. */
  quitDone: boolean;
  /** The user's answer to a nick question still open. */
  nickAnswer: Promise<string | undefined> | undefined;
  /** The connection was registered and ready (not an attempt that failed on the way). */
  wasReady: boolean;
}

type NextStep =
  | { next: 'end'; reason: string; error: Error | undefined }
  | { next: 'await-nick'; answer: Promise<string | undefined> }
  | { next: 'retry'; delayMs: number };

export class RetryPolicy {
  readonly #backoff: Backoff;
  readonly #retries: number;
  readonly #reconnect: boolean;
  #failures = 0;

  constructor(backoff: Backoff, retries: number, reconnect: boolean) {
    this.#backoff = backoff;
    this.#retries = retries;
    this.#reconnect = reconnect;
  }

  /** The number of the next attempt, counted from the last connection that got ready. */
  get nextAttempt(): number {
    return this.#failures + 1;
  }

  /** A connection got ready: failed attempts count from zero again. */
  succeeded(): void {
    this.#failures = 0;
  }

  /** `disconnected` is called first when a ready connection dropped, with whether the client will reconnect. */
  afterDrop(drop: Drop, address: string, disconnected: (willReconnect: boolean) => void): NextStep {
    if (drop.quitDone) return { next: 'end', reason: 'quit', error: undefined };
    if (drop.bye?.startsWith('kicked') === true) return { next: 'end', reason: drop.bye, error: undefined };
    if (drop.nickAnswer !== undefined) return { next: 'await-nick', answer: drop.nickAnswer };
    if (drop.wasReady) {
      disconnected(this.#reconnect);
      if (!this.#reconnect) return { next: 'end', reason: drop.reason, error: drop.error };
    } else {
      this.#failures++;
    }
    if (this.#failures >= this.#retries) {
      return {
        next: 'end',
        reason: `gave up after ${this.#failures} attempts: ${drop.reason}`,
        error: new ConnectFailedError(address, this.#failures, drop.error ?? new Error(drop.reason)),
      };
    }
    return { next: 'retry', delayMs: this.#backoff.delay(Math.max(1, this.#failures)) };
  }
}
