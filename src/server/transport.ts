/**
 * What a session needs of its connection, whatever carries it: a TCP socket (`turn-writer.ts`),
 * TLS, a WebSocket. Incoming bytes reach the session from whoever accepted the connection; this
 * is the session's way out, and its handle on reading.
 *
 * The contract that backpressure rests on: `write` returns false once the transport's backlog
 * is past its (small) high-water mark, and from then on the `onDrain` listener is called when
 * that backlog has been taken. The session keeps everything else in its own queue, which it can
 * count and drop (`output-queue.ts`).
 *
 * A transport may hold one event-loop turn's writes back to send them together (the TCP one
 * does: one `writev` per client per turn). Its two counts then differ: `bufferedBytes` is all it
 * holds, `backlogBytes` only what was already waiting when the turn began — what the peer failed
 * to take, as opposed to how much one busy turn produced.
 */
export interface Transport {
  /** Hands data over; false when the transport's backlog is past its high-water mark. */
  write(data: string | Uint8Array): boolean;
  /** Bytes handed over that the peer has not taken yet. */
  readonly bufferedBytes: number;
  /** Of those, the bytes already waiting when this turn began. */
  readonly backlogBytes: number;
  /** Sets the listener called when the backlog has been taken after `write` returned false. */
  onDrain(listener: () => void): void;
  /** Stops reading from the peer, and starts again. */
  pause(): void;
  resume(): void;
  /** Sends what is buffered, then closes. */
  end(): void;
  /** Closes now, dropping whatever is buffered. */
  destroy(): void;
  /** The peer's IP address (without a port), for logs and per-address limits. */
  readonly remoteAddress: string;
}
