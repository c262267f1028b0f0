/**
 * The last `capacity` public events, as wire lines, found by seq. Seqs increase; they are
 * contiguous in a live server, but a restored history may have holes (a corrupt line skipped),
 * so lookups search instead of computing offsets.
 */
import { checkPositiveInteger } from '../option-checks.js';

interface Entry {
  seq: number;
  line: string;
}

export class HistoryRing {
  readonly capacity: number;
  readonly #entries: (Entry | undefined)[];
  #count = 0;
  #next = 0;

  constructor(capacity: number) {
    this.capacity = checkPositiveInteger('capacity', capacity);
    this.#entries = new Array<Entry | undefined>(capacity);
  }

  get size(): number {
    return this.#count;
  }

  push(seq: number, line: string): void {
    this.#entries[this.#next] = { seq, line };
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
      if (this.#at(mid).seq <= seq) low = mid + 1;
      else high = mid;
    }
    return this.#tail(this.#count - low);
  }

  /** The `age`-th oldest retained event. */
  #at(age: number): Entry {
    const entry = this.#entries[(this.#next - this.#count + age + this.capacity) % this.capacity];
    if (entry === undefined) throw new RangeError(`history ring: no event at age ${age} of ${this.#count}`);
    return entry;
  }

  #tail(n: number): string[] {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.#at(this.#count - n + i).line;
    return out;
  }
}
