/**
 * The hub: the primary's view of the chat and the only place it changes. It takes requests from
 * workers in arrival order, keeps this host's connections and users, and answers through the
 * bus; what is chat-wide — nick claims, the seq, users and DMs on other hosts — it asks of its
 * `ChatState` (in-process on one host: every answer comes at once; JetStream across several).
 *
 * Ordering rests on two rules. The bus keeps, per worker, the order in which the hub queued
 * deliveries: so a sender sees its `MSG` event before its `OK <seq>`, a new user its `JOIN`
 * before `OK <nick>`. And a connection's requests are answered one after the other
 * (`RequestGate`), even when the state answers some of them later.
 */
import type { HubBus } from '../bus/bus.js';
import { unhandled, type HubRequest } from '../bus/messages.js';
import type { Logger } from '../log.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { nickChangeReason, nickKey } from '../protocol/nick.js';
import { formatDm, formatError, formatOk, formatPublicEvent, type PublicEvent } from '../protocol/wire.js';
import type { AddressLimitOptions } from './address-limits.js';
import { AdmittedConnections } from './admitted-connections.js';
import type { ChatState, HubSide } from './chat-state.js';
import type { HistoryRing } from './history-ring.js';
import { NickRegistry, type Seat } from './nick-registry.js';
import { OperatorAuth } from './operator-auth.js';
import { RequestGate } from './request-gate.js';

export interface HubOptions {
  bus: HubBus;
  history: HistoryRing;
  state: ChatState;
  maxClients: number;
  addressLimits: AddressLimitOptions;
  /** The operator token; empty when the server has none (every AUTH fails). */
  adminToken: string;
  /** Where AUTH failures are logged, with the address they came from. */
  log: Logger;
  /** Every public event as it reaches this server's workers, whichever host sequenced it (metrics). */
  onPublic?: (event: PublicEvent) => void;
  now?: () => number;
}

/**
 * LEAVE reasons of the server's own doing (a drain): they do not spend the address's budget, or a
 * room whose worker restarts could not register again.
 */
const SERVER_LEAVE_REASONS: ReadonlySet<string> = new Set(['worker restarting', 'server shutting down']);

/** Told to the clients of a host that has lost the chat (multi-host), and to new ones meanwhile. */
const FENCED_BYE = 'this host lost contact with the chat; try another';

type UserRequest = Extract<HubRequest, { type: 'msg' | 'announce' | 'dm' | 'kick' | 'nick' }>;

export class Hub implements HubSide {
  readonly #bus: HubBus;
  /** The last public events, what a new worker is seeded with. */
  readonly history: HistoryRing;
  readonly #state: ChatState;
  readonly #registry = new NickRegistry();
  readonly #connections: AdmittedConnections;
  readonly #auth: OperatorAuth;
  readonly #gate = new RequestGate((workerId, request, done) => {
    this.#dispatch(workerId, request, done);
  });
  /** Workers gone: a late answer about one of their connections changes nothing. */
  readonly #lostWorkers = new Set<number>();
  readonly #now: () => number;
  readonly #onPublic: (event: PublicEvent) => void;
  #fenced = false;

  constructor(options: HubOptions) {
    this.#bus = options.bus;
    this.history = options.history;
    this.#state = options.state;
    this.#now = options.now ?? Date.now;
    this.#onPublic = options.onPublic ?? (() => {});
    this.#connections = new AdmittedConnections(options.maxClients, options.addressLimits, this.#now);
    this.#auth = new OperatorAuth(options.adminToken, options.log, this.#now);
  }

  get epoch(): string {
    return this.#state.epoch;
  }

  get lastSeq(): number {
    return this.#state.lastSeq;
  }

  get userCount(): number {
    return this.#registry.size;
  }

  handle(workerId: number, request: HubRequest): void {
    this.#gate.handle(workerId, request);
  }

  /** A worker is gone: its users leave, its connections no longer count. */
  workerLost(workerId: number, reason = 'worker lost'): void {
    this.#lostWorkers.add(workerId);
    this.#gate.workerLost(workerId);
    this.#connections.workerLost(workerId);
    for (const seat of this.#registry.releaseWorker(workerId)) this.#state.leave(seat.nick, reason);
  }

  deliver(event: PublicEvent): void {
    this.#onPublic(event);
    const line = formatPublicEvent(event);
    this.history.push(event.seq, line);
    this.#bus.toAll({ type: 'all', text: line, seq: event.seq });
  }

  localNicks(): string[] {
    return this.#registry.nicks();
  }

  deliverDm(nick: string, line: string): boolean {
    const target = this.#registry.byNick(nick);
    if (target === undefined) return false;
    this.#bus.toWorker(target.workerId, { type: 'event', conn: target.conn, text: line });
    return true;
  }

  kickLocal(nick: string, why: string, done: (found: boolean) => void): void {
    const target = this.#registry.byNick(nick);
    if (target === undefined) {
      done(false);
      return;
    }
    this.#drop(target.workerId, target.conn, why, why, () => {
      done(true);
    });
  }

  fence(): void {
    this.#fenced = true;
    // The others let these users go: no LEAVE of ours, the registry just forgets them.
    this.#registry.clear();
    for (const [workerId, conn] of this.#connections.all()) {
      this.#bus.toWorker(workerId, { type: 'drop', conn, bye: FENCED_BYE });
    }
  }

  rejoined(): void {
    this.#fenced = false;
  }

  /** Requests in the order of a connection's life: from `open` to `close`. */
  #dispatch(workerId: number, request: HubRequest, done: () => void): void {
    const { conn } = request;
    switch (request.type) {
      case 'open':
        this.#open(workerId, conn, request.address);
        break;
      case 'register':
        this.#register(workerId, conn, request.nick, done);
        return;
      case 'auth':
        this.#authenticate(workerId, conn, request.token);
        break;
      case 'users':
        this.#users(workerId, conn, done);
        return;
      case 'msg':
      case 'announce':
      case 'dm':
      case 'kick':
      case 'nick':
        this.#fromUser(workerId, request, done);
        return;
      case 'quit':
        this.#quit(workerId, conn, request.reason);
        break;
      case 'close':
        this.#close(workerId, conn, request.reason);
        break;
      default:
        unhandled(request);
    }
    done();
  }

  #users(workerId: number, conn: number, done: () => void): void {
    this.#state.users((nicks) => {
      if (nicks === undefined) this.#unavailable(workerId, conn);
      else this.#reply(workerId, conn, formatOk([nicks.length, ...nicks].join(' ')));
      done();
    });
  }

  /** The requests only a registered user may make. */
  #fromUser(workerId: number, request: UserRequest, done: () => void): void {
    const { conn } = request;
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) {
      this.#fail(workerId, conn, 'NOT_REGISTERED');
      done();
      return;
    }
    const operator = this.#connections.get(workerId, conn)?.operator === true;
    if ((request.type === 'announce' || request.type === 'kick') && !operator) {
      this.#fail(workerId, conn, 'FORBIDDEN');
      done();
      return;
    }
    switch (request.type) {
      case 'msg':
      case 'announce':
        if (!this.#spend(workerId, conn)) break;
        this.#state.publish(
          request.type === 'msg' ? 'MSG' : 'ANNOUNCE',
          request.type === 'msg' ? seat.nick : '',
          request.text,
          (seq) => {
            if (seq === undefined) this.#unavailable(workerId, conn);
            else this.#reply(workerId, conn, formatOk(seq));
            done();
          },
        );
        return;
      case 'dm':
        this.#dm(seat, request.nick, request.text, done);
        return;
      case 'nick':
        this.#rename(seat, request.nick, done);
        return;
      case 'kick':
        this.#kick(seat, request.nick, request.reason, done);
        return;
      default:
        unhandled(request);
    }
    done();
  }

  #open(workerId: number, conn: number, address: string): void {
    const refusal = this.#fenced ? FENCED_BYE : this.#connections.open(workerId, conn, address);
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
    this.#state.leave(seat.nick, reason);
  }

  #register(workerId: number, conn: number, nick: string, done: () => void): void {
    const connection = this.#connections.get(workerId, conn);
    const current = this.#registry.byConnection(workerId, conn);
    if (connection === undefined) {
      // Only a connection refused at `open` is unknown here; it is being closed.
      this.#fail(workerId, conn, 'NOT_REGISTERED', 'this connection was refused');
    } else if (current !== undefined) {
      this.#fail(workerId, conn, 'ALREADY_REGISTERED', `you are already ${current.nick}`);
    } else if (this.#registry.byNick(nick) !== undefined) {
      this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
    } else if (this.#spend(workerId, conn)) {
      this.#state.claim(nick, (claimed) => {
        this.#claimed(workerId, conn, nick, claimed, done);
      });
      return;
    }
    done();
  }

  /** The chat-wide answer to a REGISTER's claim: the JOIN, or why not. */
  #claimed(workerId: number, conn: number, nick: string, claimed: boolean | undefined, done: () => void): void {
    if (claimed === undefined) {
      this.#unavailable(workerId, conn);
      done();
      return;
    }
    // Lost meanwhile: the connection's worker, or the nick to another user of this host.
    if (!claimed || this.#lostWorkers.has(workerId) || this.#registry.byNick(nick) !== undefined) {
      if (claimed) this.#state.unclaim(nick);
      this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      done();
      return;
    }
    this.#registry.claim(workerId, conn, nick);
    const enrol = () => {
      this.#bus.toWorker(workerId, { type: 'enrol', conn });
    };
    this.#state.publish(
      'JOIN',
      nick,
      '',
      (seq) => {
        if (seq === undefined) {
          this.#registry.release({ workerId, conn, nick });
          this.#state.unclaim(nick);
          this.#unavailable(workerId, conn);
        } else {
          this.#reply(workerId, conn, formatOk(nick));
        }
        done();
      },
      enrol,
    );
  }

  /**
   * `NICK`, told to everyone as a `LEAVE` of the old nick and a `JOIN` of the new one, in a row:
   * two public events, so the stream of every chat/1 client stays gap-free (see nickChangeReason).
   * The new nick is claimed chat-wide first (not when only its case changes: the claim is ours).
   */
  #rename(seat: Seat, nick: string, done: () => void): void {
    const { workerId, conn } = seat;
    const old = seat.nick;
    const holder = this.#registry.byNick(nick);
    if (nick === old) {
      this.#reply(workerId, conn, formatOk(nick));
    } else if (holder !== undefined && holder !== seat) {
      this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
    } else if (nickKey(nick) === nickKey(old)) {
      this.#announceRename(seat, nick, done);
      return;
    } else {
      this.#state.claim(nick, (claimed) => {
        if (claimed === true && this.#registry.byNick(nick) === undefined && !this.#lostWorkers.has(workerId)) {
          this.#announceRename(seat, nick, done);
          return;
        }
        if (claimed === true) this.#state.unclaim(nick);
        if (claimed === undefined) this.#unavailable(workerId, conn);
        else this.#fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
        done();
      });
      return;
    }
    done();
  }

  #announceRename(seat: Seat, nick: string, done: () => void): void {
    const { workerId, conn } = seat;
    const old = seat.nick;
    const sameNick = nickKey(nick) === nickKey(old);
    // The JOIN spends the address's budget like a REGISTER; the LEAVE before it is charged.
    if (!this.#spend(workerId, conn)) {
      if (!sameNick) this.#state.unclaim(nick);
      done();
      return;
    }
    this.#registry.rename(seat, nick);
    this.#connections.chargeEvent(workerId, conn);
    this.#state.rename(old, nick, nickChangeReason(nick), (seq) => {
      if (seq === undefined) {
        if (!this.#lostWorkers.has(workerId)) this.#registry.rename(seat, old);
        if (!sameNick) this.#state.unclaim(nick);
        this.#unavailable(workerId, conn);
      } else {
        this.#reply(workerId, conn, formatOk(nick));
      }
      done();
    });
  }

  #dm(from: Seat, nick: string, text: string, done: () => void): void {
    const line = formatDm(new Date(this.#now()).toISOString(), from.nick, text);
    const answer = (found: boolean | undefined) => {
      this.#found(from, nick, found, formatOk());
      done();
    };
    if (this.deliverDm(nick, line)) answer(true);
    else this.#state.dmElsewhere(nick, line, answer);
  }

  #kick(by: Seat, nick: string, reason: string, done: () => void): void {
    const why = `kicked: ${reason === '' ? `by ${by.nick}` : reason}`;
    const answer = (found: boolean | undefined) => {
      this.#found(by, nick, found, formatOk());
      done();
    };
    if (this.#registry.byNick(nick) === undefined) this.#state.kickElsewhere(nick, why, answer);
    else this.kickLocal(nick, why, answer);
  }

  /** The reply to a command about another user: `ok`, NO_SUCH_NICK, or UNAVAILABLE. */
  #found(seat: Seat, nick: string, found: boolean | undefined, ok: string): void {
    if (found === undefined) this.#unavailable(seat.workerId, seat.conn);
    else if (found) this.#reply(seat.workerId, seat.conn, ok);
    else this.#fail(seat.workerId, seat.conn, 'NO_SUCH_NICK', `no such nick ${nick}`);
  }

  #quit(workerId: number, conn: number, reason: string): void {
    this.#reply(workerId, conn, formatOk());
    if (this.#registry.byConnection(workerId, conn) !== undefined) this.#connections.chargeEvent(workerId, conn);
    this.#drop(workerId, conn, '', reason === '' ? 'quit' : `quit: ${reason}`);
  }

  /** Closes a connection (after `BYE <bye>` unless empty); its user, if any, leaves now. */
  #drop(workerId: number, conn: number, bye: string, leaveReason: string, left?: () => void): void {
    this.#bus.toWorker(workerId, { type: 'drop', conn, bye });
    const seat = this.#registry.byConnection(workerId, conn);
    if (seat === undefined) {
      left?.();
      return;
    }
    this.#registry.release(seat);
    this.#state.leave(seat.nick, leaveReason, left);
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

  #reply(workerId: number, conn: number, text: string): void {
    this.#bus.toWorker(workerId, { type: 'reply', conn, text });
  }

  #fail(workerId: number, conn: number, code: ErrorCode, text?: string): void {
    this.#reply(workerId, conn, formatError(code, text));
  }

  #unavailable(workerId: number, conn: number): void {
    this.#fail(workerId, conn, 'UNAVAILABLE', this.#state.unavailable);
  }
}
