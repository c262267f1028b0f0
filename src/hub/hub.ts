/**
 * The hub: the primary's cluster-wide state and the only place it changes. It takes requests from
 * workers one at a time, in arrival order, and answers through the bus. Because one process
 * decides everything, nick claims are atomic and every public event gets the next seq.
 *
 * Ordering rests on one rule: the bus keeps, per worker, the order in which the hub queued
 * deliveries. So a sender sees its `MSG` event before its `OK <seq>`, a new user its `JOIN`
 * before `OK <nick>`.
 */
import type { HubBus } from '../bus/bus.js';
import type { HubRequest } from '../bus/messages.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { nickChangeReason } from '../protocol/nick.js';
import {
  formatDm,
  formatError,
  formatOk,
  formatPublicEvent,
  type PublicEvent,
  type PublicEventType,
} from '../protocol/wire.js';
import type { HistoryRing } from './history-ring.js';
import { NickRegistry, type Seat } from './nick-registry.js';

export interface HubOptions {
  bus: HubBus;
  history: HistoryRing;
  epoch: string;
  lastSeq: number;
  maxClients: number;
  /** Called with every public event once it is sequenced (persistence). */
  onPublish?: (event: PublicEvent) => void;
  now?: () => number;
}

export class Hub {
  readonly epoch: string;
  readonly #bus: HubBus;
  readonly #history: HistoryRing;
  readonly #registry = new NickRegistry();
  /** The admitted connections of each worker, for the server-wide `--max-clients`. */
  readonly #connections = new Map<number, Set<number>>();
  readonly #maxClients: number;
  readonly #onPublish: (event: PublicEvent) => void;
  readonly #now: () => number;
  #lastSeq: number;
  #connectionCount = 0;

  constructor(options: HubOptions) {
    this.#bus = options.bus;
    this.#history = options.history;
    this.epoch = options.epoch;
    this.#lastSeq = options.lastSeq;
    this.#maxClients = options.maxClients;
    this.#onPublish = options.onPublish ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get connectionCount(): number {
    return this.#connectionCount;
  }

  get userCount(): number {
    return this.#registry.size;
  }

  handle(workerId: number, request: HubRequest): void {
    const { conn } = request;
    switch (request.type) {
      case 'open': {
        this.#open(workerId, conn);
        return;
      }
      case 'close': {
        this.#close(workerId, conn, request.reason);
        return;
      }
      case 'register': {
        this.#register(workerId, conn, request.nick);
        return;
      }
      case 'users': {
        const nicks = this.#registry.nicks();
        this.#reply(workerId, conn, formatOk([nicks.length, ...nicks].join(' ')));
        return;
      }
      case 'history': {
        this.#replay(workerId, conn, this.#history.last(request.last));
        return;
      }
      case 'history-since': {
        this.#replay(workerId, conn, this.#history.since(request.seq));
        return;
      }
      case 'quit': {
        this.#quit(workerId, conn, request.reason);
        return;
      }
    }
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) {
      this.#fail(workerId, conn, 'NOT_REGISTERED', 'register first: REGISTER <nick>');
      return;
    }
    switch (request.type) {
      case 'msg': {
        this.#reply(workerId, conn, formatOk(this.#publish('MSG', seat.nick, request.text)));
        return;
      }
      case 'announce': {
        this.#reply(workerId, conn, formatOk(this.#publish('ANNOUNCE', '', request.text)));
        return;
      }
      case 'dm': {
        this.#dm(seat, request.nick, request.text);
        return;
      }
      case 'kick': {
        this.#kick(seat, request.nick, request.reason);
        return;
      }
      case 'nick': {
        this.#rename(seat, request.nick);
        return;
      }
    }
  }

  /** A worker is gone: its users leave, its connections no longer count. */
  workerLost(workerId: number, reason = 'worker lost'): void {
    this.#connectionCount -= this.#connections.get(workerId)?.size ?? 0;
    this.#connections.delete(workerId);
    for (const seat of this.#registry.releaseWorker(workerId)) this.#publish('LEAVE', seat.nick, reason);
  }

  #open(workerId: number, conn: number): void {
    if (this.#connectionCount >= this.#maxClients) {
      this.#bus.toWorker(workerId, { type: 'drop', conn, bye: 'server full' });
      return;
    }
    let connections = this.#connections.get(workerId);
    if (connections === undefined) this.#connections.set(workerId, (connections = new Set()));
    connections.add(conn);
    this.#connectionCount++;
  }

  #close(workerId: number, conn: number, reason: string): void {
    if (this.#connections.get(workerId)?.delete(conn)) this.#connectionCount--;
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) return;
    this.#registry.release(seat);
    this.#publish('LEAVE', seat.nick, reason);
  }

  #register(workerId: number, conn: number, nick: string): void {
    const current = this.#registry.byConnection(workerId, conn);
    if (current !== undefined) {
      this.#fail(workerId, conn, 'ALREADY_REGISTERED', `you are already ${current.nick}`);
      return;
    }
    if (!this.#registry.claim(workerId, conn, nick)) {
      this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      return;
    }
    this.#bus.toWorker(workerId, { type: 'enrol', conn });
    this.#publish('JOIN', nick, '');
    this.#reply(workerId, conn, formatOk(nick));
  }

  /**
   * `NICK`, told to everyone as a `LEAVE` of the old nick and a `JOIN` of the new one, in a row:
   * two public events, so the stream of every chat/1 client stays gap-free (see nickChangeReason).
   */
  #rename(seat: Seat, nick: string): void {
    const old = seat.nick;
    if (nick === old) {
      this.#reply(seat.workerId, seat.conn, formatOk(nick));
      return;
    }
    if (!this.#registry.rename(seat, nick)) {
      this.#fail(seat.workerId, seat.conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      return;
    }
    this.#publish('LEAVE', old, nickChangeReason(nick));
    this.#publish('JOIN', nick, '');
    this.#reply(seat.workerId, seat.conn, formatOk(nick));
  }

  #dm(from: Seat, nick: string, text: string): void {
    const target = this.#registry.byNick(nick);
    if (target === undefined) {
      this.#fail(from.workerId, from.conn, 'NO_SUCH_NICK', `no such nick ${nick}`);
      return;
    }
    const line = formatDm(new Date(this.#now()).toISOString(), from.nick, text);
    this.#bus.toWorker(target.workerId, { type: 'event', conn: target.conn, text: line });
    this.#reply(from.workerId, from.conn, formatOk());
  }

  #kick(by: Seat, nick: string, reason: string): void {
    const target = this.#registry.byNick(nick);
    if (target === undefined) {
      this.#fail(by.workerId, by.conn, 'NO_SUCH_NICK', `no such nick ${nick}`);
      return;
    }
    const why = `kicked: ${reason === '' ? `by ${by.nick}` : reason}`;
    this.#registry.release(target);
    this.#bus.toWorker(target.workerId, { type: 'drop', conn: target.conn, bye: why });
    this.#publish('LEAVE', target.nick, why);
    this.#reply(by.workerId, by.conn, formatOk());
  }

  #quit(workerId: number, conn: number, reason: string): void {
    this.#reply(workerId, conn, formatOk());
    this.#bus.toWorker(workerId, { type: 'drop', conn, bye: '' });
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) return;
    this.#registry.release(seat);
    this.#publish('LEAVE', seat.nick, reason === '' ? 'quit' : `quit: ${reason}`);
  }

  #replay(workerId: number, conn: number, lines: string[]): void {
    this.#reply(workerId, conn, lines.join('') + formatOk(lines.length));
  }

  /** Sequences a public event, keeps it, and sends it to every worker; returns its seq. */
  #publish(type: PublicEventType, nick: string, text: string): number {
    const event: PublicEvent = { type, seq: ++this.#lastSeq, time: new Date(this.#now()).toISOString(), nick, text };
    const line = formatPublicEvent(event);
    this.#history.push(event.seq, line);
    this.#onPublish(event);
    this.#bus.toAll({ type: 'all', text: line, seq: event.seq });
    return event.seq;
  }

  #reply(workerId: number, conn: number, text: string): void {
    this.#bus.toWorker(workerId, { type: 'reply', conn, text });
  }

  #fail(workerId: number, conn: number, code: ErrorCode, text: string): void {
    this.#reply(workerId, conn, formatError(code, text));
  }
}
