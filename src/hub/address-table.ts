/**
 * State kept per client address, bounded. An entry that holds nothing a new one would not (no
 * open connection, buckets full again, no penalty running) is forgotten by a sweep at most every
 * `sweepIntervalMs`, so the table holds the addresses active lately, not every address ever
 * seen. A hard cap bounds it even under a flood of fresh addresses (an IPv6 attacker has many
 * /64s): past it, the least recently used entry that `evictable` allows goes first. Entries that
 * are never evictable (open connections) are bounded by `--max-clients`, so the cap holds as long
 * as it is larger than that.
 */
interface AddressTableOptions<T> {
  create: () => T;
  /** True when the entry is as good as a new one: dropping it changes nothing. */
  isIdle: (entry: T) => boolean;
  /** True when the entry may be dropped to make room (it holds no open connection). */
  evictable: (entry: T) => boolean;
  maxEntries: number;
  sweepIntervalMs: number;
  now: () => number;
}

export class AddressTable<T> {
  readonly #options: AddressTableOptions<T>;
  /** In order of last use: the first entries are the least recently used. */
  readonly #entries = new Map<string, T>();
  #lastSweep: number;

  constructor(options: AddressTableOptions<T>) {
    this.#options = options;
    this.#lastSweep = options.now();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry of `address`, created if it has none; marks it as the most recently used. */
  get(address: string): T {
    this.#sweepWhenDue();
    const entry = this.#entries.get(address);
    if (entry !== undefined) {
      this.#entries.delete(address);
      this.#entries.set(address, entry);
      return entry;
    }
    if (this.#entries.size >= this.#options.maxEntries) this.#makeRoom();
    const created = this.#options.create();
    this.#entries.set(address, created);
    return created;
  }

  /** The entry of `address` if it has one, without creating or touching it. */
  peek(address: string): T | undefined {
    return this.#entries.get(address);
  }

  #sweepWhenDue(): void {
    const now = this.#options.now();
    if (now - this.#lastSweep < this.#options.sweepIntervalMs) return;
    this.#lastSweep = now;
    this.#sweep();
  }

  #sweep(): void {
    for (const [address, entry] of this.#entries) {
      if (this.#options.isIdle(entry)) this.#entries.delete(address);
    }
  }

  /**
   * Drops the least recently used entry that may go. Entries that may not (they hold open
   * connections) are moved to the back as they are passed, so no later call scans them again.
   */
  #makeRoom(): void {
    for (let scanned = this.#entries.size; scanned > 0; scanned--) {
      const first = this.#entries.entries().next();
      if (first.done === true) return;
      const [address, entry] = first.value;
      this.#entries.delete(address);
      if (this.#options.evictable(entry)) return;
      this.#entries.set(address, entry);
    }
  }
}
