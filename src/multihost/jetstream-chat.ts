/**
 * One host's share of a multi-host chat whose state is in NATS JetStream: the public events in
 * one stream (its sequence is the public seq), nick claims in another, heartbeats and requests
 * between hosts on core NATS. See docs/ARCHITECTURE.md, "Several hosts".
 *
 * What the hub on this host gets: claims and releases of nicks, publishes that resolve only once
 * the event is stored AND this host's feed has handed it to the workers (so a sender sees its
 * event before its `OK <seq>`), the users of every host, DMs and KICKs routed to the host that
 * holds the target. What it must provide: its local users (`LocalSeats`).
 *
 * A host without JetStream for `fenceAfter` fences itself: its clients are told BYE and closed,
 * since the others have by then let its users go; it rejoins, as a new incarnation, once JetStream
 * answers again.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { compareNicks, nickKey } from '../protocol/nick.js';
import type { PublicEventType } from '../protocol/wire.js';
import { EventFeed, type FedEvent } from './event-feed.js';
import { HostDirectory, type HostId } from './host-directory.js';
import { HostReaper } from './host-reaper.js';
import { EVENTS_STREAM, EVENTS_SUBJECT } from './names.js';
import { NickClaims, type StoredClaim } from './nick-claims.js';
import { DEFAULT_RETRY, publishOnce, UnavailableError, type RetryTiming } from './retry.js';
import type { HubSide } from '../hub/chat-state.js';
import { HostRequests } from './host-requests.js';
import { ensureStreams, epochOf } from './streams.js';

export interface JetStreamChatOptions {
  servers: string[];
  replicas: number;
  nodeName: string;
  /** Public events the stream keeps and a starting host loads. */
  history: number;
  log: Logger;
  timing?: Partial<MultiHostTiming>;
}

export interface MultiHostTiming {
  heartbeatInterval: number;
  /** Silence after which another host counts as dead (its users are let go). */
  hostTimeout: number;
  /** Time without JetStream after which this host fences itself. */
  fenceAfter: number;
  /** A consumer silent this long is recreated. */
  stallAfter: number;
  retry: RetryTiming;
}

/** Defaults: a dead host's users leave within 15 s (10 s of silence + election and publishes). */
const DEFAULT_TIMING: MultiHostTiming = {
  heartbeatInterval: 1_000,
  hostTimeout: 10_000,
  fenceAfter: 15_000,
  stallAfter: 4_000,
  retry: DEFAULT_RETRY,
};

export class JetStreamChat {
  readonly epoch: string;
  readonly nodeName: string;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #timing: MultiHostTiming;
  readonly #log: Logger;
  readonly #claims: NickClaims;
  readonly #directory: HostDirectory;
  readonly #reaper: HostReaper;
  readonly #requests: HostRequests;
  readonly #feed: EventFeed;
  /** The seq the stream stood at when this host started: the feed has caught up once past it. */
  readonly #startSeq: number;
  /** Our claims by nick key: what a release purges. */
  readonly #held = new Map<string, StoredClaim>();
  /** What to run just before our own events are delivered, by message id. */
  readonly #before = new Map<string, () => void>();
  /** Publishes waiting for the feed to deliver their seq, by seq. */
  readonly #waiting = new Map<number, () => void>();
  #incarnation = newIncarnation();
  #counter = 0;
  #lastContact = Date.now();
  #fenced = false;
  #probe: NodeJS.Timeout | undefined;
  #hub: HubSide | undefined;

  private constructor(
    options: JetStreamChatOptions,
    nc: NatsConnection,
    jsm: JetStreamManager,
    epoch: string,
    retained: { first: number; last: number },
  ) {
    this.epoch = epoch;
    this.nodeName = options.nodeName;
    this.#nc = nc;
    this.#jsm = jsm;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#js = jetstream(nc, { timeout: this.#timing.retry.attempt });
    const lastSeq = retained.last;
    this.#log = options.log;
    this.#startSeq = lastSeq;
    this.#claims = new NickClaims(this.#js, jsm, this.#timing.retry);
    const self = () => this.#self();
    const alive = () => !this.#fenced && !nc.isClosed() && Date.now() - this.#lastContact < this.#timing.fenceAfter;
    this.#reaper = new HostReaper({
      js: this.#js,
      jsm,
      claims: this.#claims,
      self,
      alive,
      isLive: (incarnation) => this.#directory.isLive(incarnation),
      timing: this.#timing.retry,
      log: options.log,
    });
    this.#directory = new HostDirectory({
      nc,
      self,
      heartbeatInterval: this.#timing.heartbeatInterval,
      hostTimeout: this.#timing.hostTimeout,
      alive,
      onDead: (dead) => void this.#reap(dead),
      onSilenced: (silence) => {
        this.#fence(`not heard on NATS for ${Math.round(silence / 1000)} s: the others may have let our users go`);
      },
      log: options.log,
    });
    this.#requests = new HostRequests(nc, options.nodeName, () => this.#hub, options.log);
    this.#feed = new EventFeed({
      js: this.#js,
      from: Math.max(retained.first, lastSeq - options.history + 1, 1),
      onEvent: (fed) => {
        this.#onFed(fed);
      },
      log: options.log,
      stallAfter: this.#timing.stallAfter,
      createTimeout: Math.min(this.#timing.retry.attempt, 1_500),
    });
  }

  /** Connects, refuses a node name another live host uses, and finds or creates the streams. */
  static async open(options: JetStreamChatOptions): Promise<JetStreamChat> {
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        name: options.nodeName,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: timing.retry.attempt,
      });
    } catch (error) {
      throw new Error(`cannot reach NATS at ${options.servers.join(',')}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      if (await HostRequests.nameTaken(nc, options.nodeName, timing.retry.attempt)) {
        throw new Error(`node name ${options.nodeName} is in use by a live host; pick another with --node-name`);
      }
      const jsm = await jetstreamManager(nc, { timeout: timing.retry.attempt });
      const info = await ensureStreams(jsm, options, timing.retry, options.log);
      const retained = { first: info.state.first_seq, last: info.state.last_seq };
      return new JetStreamChat(options, nc, jsm, epochOf(info.created), retained);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** The last seq handed to `onEvent`. */
  get lastSeq(): number {
    return this.#feed.lastSeq;
  }

  get fenced(): boolean {
    return this.#fenced;
  }

  /** This host's incarnation: a new one after every rejoin. */
  get incarnation(): string {
    return this.#incarnation;
  }

  /** How many other hosts are heard from now. */
  get peers(): number {
    return this.#directory.peers().length;
  }

  /**
   * Starts following the chat: the hub gets the retained events (up to `history`) and then every
   * new one, in order. Resolves once the retained ones are delivered.
   */
  async start(hub: HubSide): Promise<void> {
    this.#hub = hub;
    const caughtUp = this.#startSeq <= this.lastSeq ? Promise.resolve() : this.#delivered(this.#startSeq);
    await this.#feed.start();
    await caughtUp;
    this.#requests.start();
    await this.#directory.start();
    this.#probe = setInterval(() => void this.#checkContact(), this.#timing.heartbeatInterval);
    // Claims left by incarnations nobody hears from (every host died, or this one restarted):
    // watched like silent hosts, and reaped if they stay silent.
    setTimeout(() => void this.#suspectOrphans(), this.#timing.heartbeatInterval * 2).unref();
  }

  /** Claims `nick` chat-wide; false when another user anywhere holds it. */
  async claim(nick: string): Promise<boolean> {
    const stored = await this.#claims.claim(
      { nick, ...this.#self(), id: `${this.#incarnation}.${++this.#counter}` },
      this.#writeGuard(),
    );
    if (stored === undefined) return false;
    this.#held.set(nickKey(nick), stored);
    this.#contact();
    return true;
  }

  /** Frees a nick this host claimed (after its LEAVE is stored). */
  async release(nick: string): Promise<void> {
    const claim = this.#held.get(nickKey(nick));
    if (claim === undefined) return;
    this.#held.delete(nickKey(nick));
    await this.#claims.release(claim);
  }

  /**
   * Stores a public event; resolves with its seq once this host's workers have it. `before` runs
   * just before the hub delivers it (never, if it fails). With `after`, it is stored only right
   * after that seq (a wrong last sequence is thrown: someone else came in between).
   */
  async publish(
    type: PublicEventType,
    nick: string,
    text: string,
    options: { before?: () => void; after?: number } = {},
  ): Promise<number> {
    const msgID = `${this.#incarnation}.${++this.#counter}`;
    if (options.before !== undefined) this.#before.set(msgID, options.before);
    try {
      const ack = await publishOnce(
        this.#js,
        EVENTS_SUBJECT,
        JSON.stringify({ type, nick, text }),
        {
          msgID,
          beforeAttempt: this.#writeGuard(),
          ...(options.after === undefined ? {} : { expectLastSequence: options.after }),
        },
        this.#timing.retry,
      );
      this.#contact();
      await this.#delivered(ack.seq);
      return ack.seq;
    } finally {
      this.#before.delete(msgID);
    }
  }

  /** Everyone registered on every live host, sorted as `USERS` lists them. */
  async users(): Promise<string[]> {
    const local = this.#hub?.localNicks() ?? [];
    const remote = await this.#requests.usersOf(this.#directory.peers().map((peer) => peer.host));
    const byKey = new Map<string, string>();
    for (const nick of [...local, ...remote]) byKey.set(nickKey(nick), nick);
    return [...byKey.values()].sort(compareNicks);
  }

  /** Hands a DM line to the host holding `nick`; false when nobody does. */
  async dm(nick: string, line: string): Promise<boolean> {
    const holder = await this.#claims.holder(nick);
    if (holder === undefined) return false;
    if (holder.host === this.nodeName) return this.#hub?.deliverDm(holder.nick, line) ?? false;
    return this.#requests.dm(holder.host, holder.nick, line, this.#timing.retry.attempt);
  }

  /** Kicks `nick` wherever it is; resolves once its LEAVE is stored; false when nobody holds it. */
  async kick(nick: string, why: string): Promise<boolean> {
    const holder = await this.#claims.holder(nick);
    if (holder === undefined) return false;
    if (holder.host === this.nodeName) {
      const hub = this.#hub;
      return hub === undefined
        ? false
        : new Promise((resolve) => {
            hub.kickLocal(holder.nick, why, resolve);
          });
    }
    return this.#requests.kick(holder.host, holder.nick, why, this.#timing.retry.deadline);
  }

  /** Leaves the chat in good order (the hub has published its users' LEAVEs already). */
  async close(): Promise<void> {
    clearInterval(this.#probe);
    this.#directory.stop(!this.#fenced);
    this.#requests.stop();
    await this.#feed.stop();
    await this.#nc.drain().catch(() => undefined);
  }

  /**
   * Drops everything without a word, as a host that dies does: no goodbye, no LEAVEs; the others
   * reap its users. The tests play a host's death with it without ending their own process.
   */
  async abandon(): Promise<void> {
    clearInterval(this.#probe);
    this.#directory.stop(false);
    this.#requests.stop();
    await this.#feed.stop();
    await this.#nc.close();
  }

  #self(): HostId {
    return { host: this.nodeName, incarnation: this.#incarnation };
  }

  /**
   * What is checked before every attempt at a write for this incarnation's users: none once it is
   * fenced or replaced (its users are gone), and none while the others may be taking it for lost
   * (it has not heard itself within its lease): they may have let its users go and given their
   * nicks to others. Such a write waits, and fails with the deadline if the host does not fence.
   */
  #writeGuard(): () => void {
    const incarnation = this.#incarnation;
    return () => {
      if (this.#fenced || this.#incarnation !== incarnation) {
        throw new UnavailableError('write for a fenced host');
      }
      if (!this.#directory.heardRecently()) throw new Error('this host has not heard itself on NATS lately');
    };
  }

  #contact(): void {
    this.#lastContact = Date.now();
  }

  #delivered(seq: number): Promise<void> {
    if (seq <= this.lastSeq) return Promise.resolve();
    return new Promise((resolve) => {
      const earlier = this.#waiting.get(seq);
      this.#waiting.set(seq, () => {
        earlier?.();
        resolve();
      });
    });
  }

  #onFed(fed: FedEvent): void {
    this.#contact();
    if (fed.msgId !== undefined) this.#before.get(fed.msgId)?.();
    this.#hub?.deliver(fed.event);
    if (this.#waiting.size > 0) {
      for (const [seq, resolve] of this.#waiting) {
        if (seq > fed.event.seq) continue;
        this.#waiting.delete(seq);
        resolve();
      }
    }
    // The others took us for dead and let our users go: we are fenced, whatever we thought.
    if (fed.reaped === this.#incarnation) this.#fence('this host was taken for lost by the others');
  }

  async #checkContact(): Promise<void> {
    try {
      await this.#jsm.streams.info(EVENTS_STREAM);
      this.#contact();
      if (this.#fenced) this.#rejoin();
    } catch {
      const silence = Date.now() - this.#lastContact;
      if (!this.#fenced && silence > this.#timing.fenceAfter) {
        this.#fence(`no contact with NATS for ${Math.round(silence / 1000)} s`);
      }
    }
  }

  #fence(why: string): void {
    if (this.#fenced) return;
    this.#fenced = true;
    this.#log.error(`fenced: ${why}; closing every client of this host until the chat is back`);
    this.#held.clear();
    this.#hub?.fence();
  }

  #rejoin(): void {
    const old = this.#self();
    this.#incarnation = newIncarnation();
    this.#directory.renewLease();
    this.#fenced = false;
    this.#log.warn(`rejoined the chat as incarnation ${this.#incarnation}`);
    this.#hub?.rejoined();
    // Our former users are gone; if nobody let them go yet, we do (an election keeps it to once).
    void this.#reap(old);
  }

  async #reap(dead: HostId): Promise<void> {
    if (!(await this.#reaper.reap(dead))) this.#directory.suspect(dead, 0);
  }

  async #suspectOrphans(): Promise<void> {
    try {
      for (const claim of await this.#claims.all()) {
        this.#directory.suspect({ host: claim.host, incarnation: claim.incarnation });
      }
    } catch (error) {
      this.#log.warn(`could not look for orphaned nicks: ${(error as Error).message}`);
    }
  }
}

function newIncarnation(): string {
  return randomBytes(6).toString('hex');
}
