/**
 * Splits a byte stream into LF-terminated lines without copying where it can.
 *
 * The limit is enforced while bytes are counted, before anything more is buffered: an over-long
 * line is reported once and its bytes are dropped up to the next LF, so a hostile peer can never
 * make us hold more than `maxLineBytes + 1` bytes of one line.
 */
export interface LineSink {
  /** One complete line, without its LF or a CR just before it; possibly empty (a bare LF still shows the peer is there). */
  line(bytes: Buffer): void;
  /** A line went past the limit; its remaining bytes up to the next LF are being discarded. */
  tooLong(): void;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #sink: LineSink;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #discarding = false;

  constructor(maxLineBytes: number, sink: LineSink) {
    this.#maxLineBytes = maxLineBytes;
    this.#sink = sink;
  }

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        this.#hold(chunk, start, chunk.length);
        return;
      }
      if (this.#discarding) {
        this.#discarding = false;
      } else if (this.#pendingBytes === 0) {
        this.#emit(chunk.subarray(start, lf));
      } else {
        if (this.#hold(chunk, start, lf)) this.#emit(Buffer.concat(this.#pending, this.#pendingBytes));
        this.#discarding = false;
      }
      this.#pending = [];
      this.#pendingBytes = 0;
      start = lf + 1;
    }
  }

  /** Keeps bytes of the current line; false when they take it past the limit (it is then discarded). */
  #hold(chunk: Buffer, from: number, to: number): boolean {
    if (this.#discarding) return false;
    if (from === to) return true;
    // One byte of slack: the line may still turn out to end in CR LF.
    if (this.#pendingBytes + (to - from) > this.#maxLineBytes + 1) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#discarding = true;
      this.#sink.tooLong();
      return false;
    }
    // The chunk is copied because the socket may reuse its memory after the callback returns.
    this.#pending.push(Buffer.from(chunk.subarray(from, to)));
    this.#pendingBytes += to - from;
    return true;
  }

  #emit(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    if (end > this.#maxLineBytes) {
      this.#sink.tooLong();
      return;
    }
    this.#sink.line(end === line.length ? line : line.subarray(0, end));
  }
}
