import { compareNicks, nickKey } from '../protocol/nick.js';

/** Where a registered user lives: a worker and that worker's connection id. */
export interface Seat {
  workerId: number;
  conn: number;
  /** Changes with `NICK`. */
  nick: string;
}

/** Who is registered where, across the whole server. Nicks are unique case-insensitively. */
export class NickRegistry {
  readonly #byNick = new Map<string, Seat>();
  readonly #byWorker = new Map<number, Map<number, Seat>>();

  get size(): number {
    return this.#byNick.size;
  }

  /** Claims `nick` for the connection; false when someone holds it already. */
  claim(workerId: number, conn: number, nick: string): boolean {
    const key = nickKey(nick);
    if (this.#byNick.has(key)) return false;
    const seat = { workerId, conn, nick };
    this.#byNick.set(key, seat);
    let seats = this.#byWorker.get(workerId);
    if (seats === undefined) this.#byWorker.set(workerId, (seats = new Map<number, Seat>()));
    seats.set(conn, seat);
    return true;
  }

  /**
   * Gives a registered user another nick; false when someone else holds it (the user's own nick
   * in another case is theirs to take). The seat keeps its place: worker and connection.
   */
  rename(seat: Seat, nick: string): boolean {
    const holder = this.#byNick.get(nickKey(nick));
    if (holder !== undefined && holder !== seat) return false;
    this.#byNick.delete(nickKey(seat.nick));
    seat.nick = nick;
    this.#byNick.set(nickKey(nick), seat);
    return true;
  }

  byNick(nick: string): Seat | undefined {
    return this.#byNick.get(nickKey(nick));
  }

  byConnection(workerId: number, conn: number): Seat | undefined {
    return this.#byWorker.get(workerId)?.get(conn);
  }

  release(seat: Seat): void {
    this.#byNick.delete(nickKey(seat.nick));
    this.#byWorker.get(seat.workerId)?.delete(seat.conn);
  }

  /** Forgets every user of a worker and returns them, in registration order. */
  releaseWorker(workerId: number): Seat[] {
    const seats = [...(this.#byWorker.get(workerId)?.values() ?? [])];
    for (const seat of seats) this.#byNick.delete(nickKey(seat.nick));
    this.#byWorker.delete(workerId);
    return seats;
  }

  /** Forgets everyone at once. */
  clear(): void {
    this.#byNick.clear();
    this.#byWorker.clear();
  }

  /** Every nick, sorted as `USERS` lists them. */
  nicks(): string[] {
    return [...this.#byNick.values()].map((seat) => seat.nick).sort(compareNicks);
  }
}
