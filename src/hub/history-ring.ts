/**
 * The last `capacity` public events, as wire lines, found by seq. Seqs increase; they are
 * contiguous in a live server, but a restored history may have holes (a corrupt line skipped),
 * so lookups search instead of computing offsets.
 */
export class HistoryRing {
  readonly capacity: number;
  readonly #lines: string[];
  readonly #seqs: number[];
  #count = 0;
  #next = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#lines = new Array<string>(capacity);
    this.#seqs = new Array<number>(capacity);
  }

  get size(): number {
    return this.#count;
  }

  push(seq: number, line: string): void {
    this.#lines[this.#next] = line;
    this.#seqs[this.#next] = seq;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#count < this.capacity) this.#count++;
  }

  /** The last `n` retained lines, oldest first. */
  last(n: number): string[] {
    return this.#tail(Math.min(n, this.#count));
  }

  /** Every retained line with a seq greater than `seq`, oldest first. */
  since(seq: number): string[] {
    // Binary search over the ring in age order for the first seq above `seq`.
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#seqs[this.#index(mid)]! <= seq) low = mid + 1;
      else high = mid;
    }
    return this.#tail(this.#count - low);
  }

  /** Array position of the `age`-th oldest retained event. */
  #index(age: number): number {
    return (this.#next - this.#count + age + this.capacity) % this.capacity;
  }

  #tail(n: number): string[] {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.#lines[this.#index(this.#count - n + i)]!;
    return out;
  }
}
