/**
 * Paces typed or piped input under the server's default rate limit (20 lines/s, bursts of 40),
 * so that a script piping a hundred lines gets all of them sent, in order, rather than a
 * RATE_LIMITED error for every line past the burst. Lines wait here; nothing is dropped.
 * The pace keeps a margin below the limit for the lines the client sends on its own
 * (REGISTER, AUTH, HISTORY after a reconnect, QUIT).
 */
import { TokenBucket } from '../protocol/token-bucket.js';

export const INPUT_RATE = 15;
export const INPUT_BURST = 30;

export interface PacedInput {
  line(text: string): void;
  end(): void;
  /** The first line that has to wait: said once, so a script knows why its input slows down. */
  pacing(): void;
}

export class InputPacer {
  readonly #bucket: TokenBucket;
  readonly #out: PacedInput;
  readonly #waiting: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  #toldPacing = false;

  constructor(out: PacedInput, rate = INPUT_RATE, burst = INPUT_BURST) {
    this.#out = out;
    this.#bucket = new TokenBucket(rate, burst);
  }

  push(text: string): void {
    this.#waiting.push(text);
    this.#drain();
  }

  /** The input is over: `end` follows once every waiting line has gone out. */
  end(): void {
    this.#ended = true;
    this.#drain();
  }

  /** Drops what waits (the user interrupted). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#waiting.length = 0;
  }

  #drain = (): void => {
    this.#timer = undefined;
    for (let line = this.#waiting[0]; line !== undefined && this.#bucket.take(); line = this.#waiting[0]) {
      this.#waiting.shift();
      this.#out.line(line);
    }
    if (this.#waiting.length > 0) {
      if (!this.#toldPacing) {
        this.#toldPacing = true;
        this.#out.pacing();
      }
      this.#timer ??= setTimeout(this.#drain, this.#bucket.msUntilToken());
      return;
    }
    if (this.#ended) {
      this.#ended = false;
      this.#out.end();
    }
  };
}
