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
import { unhandled, type HubRequest } from '../bus/messages.js';
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
import type { Logger } from '../log.js';
import type { AddressLimitOptions } from './address-limits.js';
import { AdmittedConnections } from './admitted-connections.js';
import type { HistoryRing } from './history-ring.js';
import { NickRegistry, type Seat } from './nick-registry.js';
import { OperatorAuth } from './operator-auth.js';

export interface HubOptions {
  bus: HubBus;
  history: HistoryRing;
  epoch: string;
  lastSeq: number;
  maxClients: number;
  addressLimits: AddressLimitOptions;
  /** The operator token; empty when the server has none (every AUTH fails). */
  adminToken: string;
  /** Where AUTH failures are logged, with the address they came from. */
  log: Logger;
  /** Called with every public event once it is sequenced (persistence). */
  onPublish?: (event: PublicEvent) => void;
  now?: () => number;
}

/**
 * LEAVE reasons of the server's own doing (a drain): they do not spend the address's budget, or a
 * room whose worker restarts could not register again.
 */
const SERVER_LEAVE_REASONS: ReadonlySet<string> = new Set(['worker restarting', 'server shutting down']);

export class Hub {
  readonly epoch: string;
  readonly #bus: HubBus;
  readonly #history: HistoryRing;
  readonly #registry = new NickRegistry();
  readonly #connections: AdmittedConnections;
  readonly #auth: OperatorAuth;
  readonly #onPublish: (event: PublicEvent) => void;
  readonly #now: () => number;
  #lastSeq: number;

  constructor(options: HubOptions) {
    this.#bus = options.bus;
    this.#history = options.history;
    this.epoch = options.epoch;
    this.#lastSeq = options.lastSeq;
    this.#onPublish = options.onPublish ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#connections = new AdmittedConnections(options.maxClients, options.addressLimits, this.#now);
    this.#auth = new OperatorAuth(options.adminToken, options.log, this.#now);
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get connectionCount(): number {
    return this.#connections.count;
  }

  get userCount(): number {
    return this.#registry.size;
  }

  handle(workerId: number, request: HubRequest): void {
    const { conn } = request;
    switch (request.type) {
      case 'open': {
        this.#open(workerId, conn, request.address);
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
      case 'auth': {
        this.#authenticate(workerId, conn, request.token);
        return;
      }
      case 'msg':
      case 'announce':
      case 'dm':
      case 'kick':
      case 'nick': {
        this.#fromUser(workerId, request);
        return;
      }
      default:
        unhandled(request);
    }
  }

  /** The requests only a registered user may make. */
  #fromUser(
    workerId: number,
    request: Extract<HubRequest, { type: 'msg' | 'announce' | 'dm' | 'kick' | 'nick' }>,
  ): void {
    const { conn } = request;
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) {
      this.#fail(workerId, conn, 'NOT_REGISTERED', 'register first: REGISTER <nick>');
      return;
    }
    switch (request.type) {
      case 'msg': {
        if (this.#spend(workerId, conn))
          this.#reply(workerId, conn, formatOk(this.#publish('MSG', seat.nick, request.text)));
        return;
      }
      case 'dm': {
        this.#dm(seat, request.nick, request.text);
        return;
      }
      case 'nick': {
        this.#rename(seat, request.nick);
        return;
      }
      case 'announce':
      case 'kick': {
        this.#asOperator(workerId, seat, request);
        return;
      }
      default:
        unhandled(request);
    }
  }

  /** The requests only an operator may make. */
  #asOperator(workerId: number, seat: Seat, request: Extract<HubRequest, { type: 'announce' | 'kick' }>): void {
    const { conn } = request;
    if (this.#connections.get(workerId, conn)?.operator !== true) {
      this.#fail(workerId, conn, 'FORBIDDEN', 'operators only: AUTH <token> first');
      return;
    }
    switch (request.type) {
      case 'announce': {
        if (this.#spend(workerId, conn))
          this.#reply(workerId, conn, formatOk(this.#publish('ANNOUNCE', '', request.text)));
        return;
      }
      case 'kick': {
        this.#kick(seat, request.nick, request.reason);
        return;
      }
      default:
        unhandled(request);
    }
  }

  /** A worker is gone: its users leave, its connections no longer count. */
  workerLost(workerId: number, reason = 'worker lost'): void {
    this.#connections.workerLost(workerId);
    for (const seat of this.#registry.releaseWorker(workerId)) this.#publish('LEAVE', seat.nick, reason);
  }

  #open(workerId: number, conn: number, address: string): void {
    const refusal = this.#connections.open(workerId, conn, address);
    if (refusal !== undefined) this.#bus.toWorker(workerId, { type: 'drop', conn, bye: refusal });
  }

  #close(workerId: number, conn: number, reason: string): void {
    const connection = this.#connections.close(workerId, conn);
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) return;
    this.#registry.release(seat);
    if (connection !== undefined && !SERVER_LEAVE_REASONS.has(reason)) {
      this.#connections.addresses.chargeEvent(connection.address);
    }
    this.#publish('LEAVE', seat.nick, reason);
  }

  #register(workerId: number, conn: number, nick: string): void {
    const connection = this.#connections.get(workerId, conn);
    if (connection === undefined) {
      // Only a connection refused at `open` is unknown here; it is being closed.
      this.#fail(workerId, conn, 'NOT_REGISTERED', 'this connection was refused');
      return;
    }
    const current = this.#registry.byConnection(workerId, conn);
    if (current !== undefined) {
      this.#fail(workerId, conn, 'ALREADY_REGISTERED', `you are already ${current.nick}`);
      return;
    }
    if (this.#registry.byNick(nick) !== undefined) {
      this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      return;
    }
    if (!this.#spend(workerId, conn)) return;
    this.#registry.claim(workerId, conn, nick);
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
    const holder = this.#registry.byNick(nick);
    if (holder !== undefined && holder !== seat) {
      this.#fail(seat.workerId, seat.conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      return;
    }
    // The JOIN spends the address's budget like a REGISTER; the LEAVE before it is charged.
    if (!this.#spend(seat.workerId, seat.conn)) return;
    this.#registry.rename(seat, nick);
    this.#connections.chargeEvent(seat.workerId, seat.conn);
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
    this.#drop(target.workerId, target.conn, why, why);
    this.#reply(by.workerId, by.conn, formatOk());
  }

  #quit(workerId: number, conn: number, reason: string): void {
    this.#reply(workerId, conn, formatOk());
    if (this.#registry.byConnection(workerId, conn) !== undefined) this.#connections.chargeEvent(workerId, conn);
    this.#drop(workerId, conn, '', reason === '' ? 'quit' : `quit: ${reason}`);
  }

  /** Closes a connection (after `BYE <bye>` unless empty); its user, if any, leaves now. */
  #drop(workerId: number, conn: number, bye: string, leaveReason: string): void {
    this.#bus.toWorker(workerId, { type: 'drop', conn, bye });
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) return;
    this.#registry.release(seat);
    this.#publish('LEAVE', seat.nick, leaveReason);
  }

  /**
   * AUTH, decided here so that failures count per address across reconnects and workers. The
   * contract's three strikes per connection still close it; the address lockout comes on top.
   */
  #authenticate(workerId: number, conn: number, token: string): void {
    const connection = this.#connections.get(workerId, conn);
    if (connection === undefined) {
      // Only a connection refused at `open` is unknown here; it is being closed.
      this.#fail(workerId, conn, 'AUTH_FAILED', 'this connection was refused');
      return;
    }
    const outcome = this.#auth.attempt(connection, token, `worker ${workerId}, connection ${conn}`);
    if (outcome.ok) {
      this.#reply(workerId, conn, formatOk());
      return;
    }
    this.#fail(workerId, conn, 'AUTH_FAILED', outcome.text);
    if (outcome.close) this.#drop(workerId, conn, 'too many failed AUTH attempts', 'disconnected');
  }

  /** Spends one public event of the connection's address; answers RATE_LIMITED when none is left. */
  #spend(workerId: number, conn: number): boolean {
    if (this.#connections.takeEvent(workerId, conn)) return true;
    const { ipRateLimit } = this.#connections.addresses.options;
    this.#fail(workerId, conn, 'RATE_LIMITED', `more than ${ipRateLimit} public events/s from your address, slow down`);
    return false;
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
