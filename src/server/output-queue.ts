/**
 * A connection's output on its way out. It goes straight to the transport while the transport
 * takes it; once the transport's backlog is past its high-water mark, it waits here until the
 * transport drains. Here it can be counted (the session's output limits look at `unsent` and
 * `behind`) and dropped (a slow consumer's cut): neither is possible once bytes are in the
 * transport. So a connection that reads nothing costs its worker what is queued here, which the
 * session bounds, plus what the transport holds.
 */
import type { Transport } from './transport.js';

export class OutputQueue {
  readonly #transport: Transport;
  readonly #onDrain: () => void;
  #chunks: Array<string | Uint8Array> = [];
  /** Chunks before this index are already written (dropping them one by one would be quadratic). */
  #head = 0;
  #queuedBytes = 0;
  /** The transport said its buffer is full: nothing goes to it before its drain. */
  #full = false;
  /** The transport is to end once everything queued has gone to it. */
  #ending = false;
  #ended = false;

  /** `onDrain` runs after a drain has moved what it could from here to the transport. */
  constructor(transport: Transport, onDrain: () => void) {
    this.#transport = transport;
    this.#onDrain = onDrain;
    transport.onDrain(this.#drained);
  }

  /** Bytes the peer has not taken yet: queued here, or held by the transport. */
  get unsent(): number {
    return this.#queuedBytes + this.#transport.bufferedBytes;
  }

  /** Bytes the peer has failed to take: `unsent` without what this turn handed to the transport. */
  get behind(): number {
    return this.#queuedBytes + this.#transport.backlogBytes;
  }

  push(data: string | Uint8Array): void {
    if (this.#ending) return;
    if (!this.#full && this.#head === this.#chunks.length) {
      this.#full = !this.#transport.write(data);
      return;
    }
    this.#chunks.push(data);
    this.#queuedBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  /** Ends the transport once everything queued has gone to it; nothing more is taken. */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#endIfEmpty();
  }

  /**
   * Gives up on the peer: drops what is queued, writes `last` right after what the transport
   * holds already (beyond recall), and ends the transport.
   */
  abandon(last: string): void {
    this.drop();
    if (this.#ending) return;
    this.#transport.write(last);
    this.end();
  }

  /** Forgets what is queued here; what the transport holds already is beyond recall. */
  drop(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#queuedBytes = 0;
  }

  readonly #drained = (): void => {
    this.#full = false;
    while (!this.#full && this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head] ?? '';
      this.#head++;
      this.#queuedBytes -= typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      this.#full = !this.#transport.write(chunk);
    }
    if (this.#head === this.#chunks.length) {
      this.drop();
      this.#endIfEmpty();
    } else if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    this.#onDrain();
  };

  #endIfEmpty(): void {
    if (!this.#ending || this.#ended || this.#head < this.#chunks.length) return;
    this.#ended = true;
    this.#transport.end();
  }
}
