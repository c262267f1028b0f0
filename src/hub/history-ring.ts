/** The last `capacity` public events, as wire lines, addressable by seq. */
export class HistoryRing {
  readonly capacity: number;
  readonly #lines: string[];
  #count = 0;
  #next = 0;
  #lastSeq = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#lines = new Array<string>(capacity);
  }

  get size(): number {
    return this.#count;
  }

  /** Seq of the oldest retained event (lastSeq + 1 when empty). */
  get firstSeq(): number {
    return this.#lastSeq - this.#count + 1;
  }

  /** Events must arrive with seq increasing by one. */
  push(seq: number, line: string): void {
    this.#lines[this.#next] = line;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#count < this.capacity) this.#count++;
    this.#lastSeq = seq;
  }

  /** The last `n` retained lines, oldest first. */
  last(n: number): string[] {
    return this.#slice(Math.min(n, this.#count));
  }

  /** Every retained line with a seq greater than `seq`, oldest first. */
  since(seq: number): string[] {
    const wanted = this.#lastSeq - Math.max(seq, this.firstSeq - 1);
    return this.#slice(Math.max(0, Math.min(wanted, this.#count)));
  }

  #slice(n: number): string[] {
    const out = new Array<string>(n);
    const start = this.#next - n + this.capacity;
    for (let i = 0; i < n; i++) out[i] = this.#lines[(start + i) % this.capacity]!;
    return out;
  }
}
