/**
 * A small typed event emitter with node:events' `on`/`once`/`off` semantics, for the client
 * library to run in browsers as well as Node: listeners run in the order added, synchronously,
 * and those present when `emit` starts are the ones called.
 */
type EventMap<Events> = { [K in keyof Events]: unknown[] };
type AnyListener = (...args: unknown[]) => void;

interface Entry {
  readonly listener: AnyListener;
  readonly once: boolean;
}

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #entries = new Map<keyof Events, Entry[]>();

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    return this.#add(name, listener as AnyListener, false);
  }

  once<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    return this.#add(name, listener as AnyListener, true);
  }

  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    const entries = this.#entries.get(name);
    if (entries === undefined) return this;
    // Like node:events: the most recently added registration of that listener goes.
    const index = entries.findLastIndex((entry) => entry.listener === listener);
    if (index !== -1) entries.splice(index, 1);
    return this;
  }

  listenerCount(name: keyof Events): number {
    return this.#entries.get(name)?.length ?? 0;
  }

  /** Calls every listener of `name`; true if there was one. */
  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): boolean {
    const entries = this.#entries.get(name);
    if (entries === undefined || entries.length === 0) return false;
    for (const entry of [...entries]) {
      if (entry.once) this.#remove(name, entry);
      entry.listener(...args);
    }
    return true;
  }

  #add(name: keyof Events, listener: AnyListener, once: boolean): this {
    const entries = this.#entries.get(name);
    if (entries === undefined) this.#entries.set(name, [{ listener, once }]);
    else entries.push({ listener, once });
    return this;
  }

  #remove(name: keyof Events, entry: Entry): void {
    const entries = this.#entries.get(name) ?? [];
    const index = entries.indexOf(entry);
    if (index !== -1) entries.splice(index, 1);
  }
}
