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
import { formatOk, formatPublicEvent, type PublicEvent } from '../protocol/wire.js';
import type { AddressLimitOptions } from './address-limits.js';
import { AdmittedConnections } from './admitted-connections.js';
import type { ChatState, HubSide } from './chat-state.js';
import { HubAnswers } from './hub-answers.js';
import type { HistoryRing } from './history-ring.js';
import { NickRegistry } from './nick-registry.js';
import { NickRequests } from './nick-requests.js';
import { OperatorAuth } from './operator-auth.js';
import { RequestGate } from './request-gate.js';
import { UserRequests } from './user-requests.js';

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

export class Hub implements HubSide {
  readonly #bus: HubBus;
  /** The last public events, what a new worker is seeded with. */
  readonly history: HistoryRing;
  readonly #state: ChatState;
  readonly #registry = new NickRegistry();
  readonly #connections: AdmittedConnections;
  readonly #auth: OperatorAuth;
  readonly #answers: HubAnswers;
  readonly #nicks: NickRequests;
  /** MSG, ANNOUNCE, DM, KICK and NICK: what only a registered user may ask. */
  readonly #fromUser: UserRequests;
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
    this.#answers = new HubAnswers(this.#bus, this.#state, this.#connections);
    this.#nicks = new NickRequests({
      bus: this.#bus,
      state: this.#state,
      registry: this.#registry,
      connections: this.#connections,
      answers: this.#answers,
      workerLost: (workerId) => this.#lostWorkers.has(workerId),
    });
    this.#fromUser = new UserRequests({
      state: this.#state,
      registry: this.#registry,
      connections: this.#connections,
      answers: this.#answers,
      nicks: this.#nicks,
      local: this,
      now: this.#now,
    });
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

  /** False while fenced: the others have let this host's users go. */
  get serving(): boolean {
    return !this.#fenced;
  }

  fence(): void {
    this.#fenced = true;
    this.#bus.toAll({ type: 'serving', serving: false });
    // The others let these users go: no LEAVE of ours, the registry just forgets them.
    this.#registry.clear();
    for (const [workerId, conn] of this.#connections.all()) {
      this.#bus.toWorker(workerId, { type: 'drop', conn, bye: FENCED_BYE });
    }
  }

  rejoined(): void {
    this.#fenced = false;
    this.#bus.toAll({ type: 'serving', serving: true });
  }

  /** Requests in the order of a connection's life: from `open` to `close`. */
  #dispatch(workerId: number, request: HubRequest, done: () => void): void {
    const { conn } = request;
    if (request.type !== 'close' && this.#connections.get(workerId, conn)?.closing === true) {
      // Sent before its worker had our `drop`: a kicked user must not register again or talk on.
      this.#answers.fail(workerId, conn, 'NOT_REGISTERED', 'this connection is being closed');
      done();
      return;
    }
    switch (request.type) {
      case 'open':
        this.#open(workerId, conn, request.address);
        break;
      case 'register':
        this.#nicks.register(workerId, conn, request.nick, done);
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
        this.#fromUser.handle(workerId, request, done);
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
      if (nicks === undefined) this.#answers.unavailable(workerId, conn);
      else this.#answers.reply(workerId, conn, formatOk([nicks.length, ...nicks].join(' ')));
      done();
    });
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

  #quit(workerId: number, conn: number, reason: string): void {
    this.#answers.reply(workerId, conn, formatOk());
    if (this.#registry.byConnection(workerId, conn) !== undefined) this.#connections.chargeEvent(workerId, conn);
    this.#drop(workerId, conn, '', reason === '' ? 'quit' : `quit: ${reason}`);
  }

  /** Closes a connection (after `BYE <bye>` unless empty); its user, if any, leaves now. */
  #drop(workerId: number, conn: number, bye: string, leaveReason: string, left?: () => void): void {
    this.#bus.toWorker(workerId, { type: 'drop', conn, bye });
    const connection = this.#connections.get(workerId, conn);
    if (connection !== undefined) connection.closing = true;
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
      this.#answers.fail(workerId, conn, 'AUTH_FAILED', 'this connection was refused');
      return;
    }
    const outcome = this.#auth.attempt(connection, token, `worker ${workerId}, connection ${conn}`);
    if (outcome.ok) {
      this.#answers.reply(workerId, conn, formatOk());
      return;
    }
    this.#answers.fail(workerId, conn, 'AUTH_FAILED', outcome.text);
    if (outcome.close) this.#drop(workerId, conn, 'too many failed AUTH attempts', 'disconnected');
  }
}
