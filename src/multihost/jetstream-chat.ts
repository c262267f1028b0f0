/**
 * One host's share of a multi-host chat whose state is in NATS JetStream: the public events in
 * one stream (its sequence is the public seq), nick claims in another, heartbeats and requests
 * between hosts on core NATS. See docs/ARCHITECTURE.md, "Several hosts".
 *
 * What the hub on this host gets: claims and releases of nicks, publishes that resolve only once
 * the event is stored AND this host's feed has handed it to the workers (so a sender sees its
 * event before its `OK <seq>`), the users of every host, DMs and KICKs routed to the host that
 * holds the target. What it must provide: its `HubSide` (local users, deliveries, DMs, kicks).
 *
 * A host without JetStream for `fenceAfter` fences itself: its clients are told BYE and closed,
 * since the others have by then let its users go; it rejoins, as a new incarnation, once JetStream
 * answers again.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { compareNicks, nickKey } from '../protocol/nick.js';
import type { PublicEventType } from '../protocol/wire.js';
import { DeliveryWaits } from './delivery-waits.js';
import { EventFeed, type FedEvent } from './event-feed.js';
import { HostDirectory, type HostId } from './host-directory.js';
import { HostFence } from './host-fence.js';
import { HostReaper } from './host-reaper.js';
import { EVENTS_SUBJECT } from './names.js';
import { NickClaims, type StoredClaim } from './nick-claims.js';
import { publishOnce, UnavailableError } from './retry.js';
import type { HubSide } from '../hub/chat-state.js';
import { HostRequests } from './host-requests.js';
import { joinChat, type JetStreamChatOptions, type JoinedChat, type MultiHostTiming } from './join-chat.js';

export class JetStreamChat {
  readonly epoch: string;
  readonly nodeName: string;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
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
  readonly #deliveries = new DeliveryWaits();
  readonly #fence: HostFence;
  #incarnation = newIncarnation();
  #counter = 0;
  #hub: HubSide | undefined;

  private constructor(options: JetStreamChatOptions, joined: JoinedChat) {
    const { nc, jsm, retained } = joined;
    this.epoch = joined.epoch;
    this.nodeName = options.nodeName;
    this.#nc = nc;
    this.#timing = joined.timing;
    this.#js = jetstream(nc, { timeout: this.#timing.retry.attempt });
    const lastSeq = retained.last;
    this.#log = options.log;
    this.#startSeq = lastSeq;
    this.#claims = new NickClaims(this.#js, jsm, this.#timing.retry);
    this.#fence = new HostFence({
      jsm,
      fenceAfter: this.#timing.fenceAfter,
      probeEvery: this.#timing.heartbeatInterval,
      log: options.log,
      onFence: () => {
        this.#held.clear();
        this.#hub?.fence();
      },
      onRejoin: () => {
        this.#rejoin();
      },
    });
    const self = () => this.#self();
    const alive = () => this.#fence.inContact && !nc.isClosed();
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
        this.#fence.fence(
          `not heard on NATS for ${Math.round(silence / 1000)} s: the others may have let our users go`,
        );
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
    return new JetStreamChat(options, await joinChat(options));
  }

  /** The last seq handed to `onEvent`. */
  get lastSeq(): number {
    return this.#feed.lastSeq;
  }

  /**
   * Whether this host has been fenced since now (fenced, or rejoined as a new incarnation): the
   * users it had then are gone.
   */
  fencedSince(): () => boolean {
    const incarnation = this.#incarnation;
    return () => this.#fence.fenced || this.#incarnation !== incarnation;
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
    const caughtUp = this.#deliveries.delivered(this.#startSeq, this.lastSeq);
    await this.#feed.start();
    await caughtUp;
    this.#requests.start();
    await this.#directory.start();
    this.#fence.start();
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
    this.#fence.contact();
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
    if (options.before !== undefined) this.#deliveries.runBefore(msgID, options.before);
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
      this.#fence.contact();
      await this.#deliveries.delivered(ack.seq, this.lastSeq);
      return ack.seq;
    } finally {
      this.#deliveries.forget(msgID);
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
    this.#fence.stop();
    this.#directory.stop(!this.#fence.fenced);
    this.#requests.stop();
    await this.#feed.stop();
    await this.#nc.drain().catch(() => undefined);
  }

  /**
   * Drops everything without a word, as a host that dies does: no goodbye, no LEAVEs; the others
   * reap its users. The tests play a host's death with it without ending their own process.
   */
  async abandon(): Promise<void> {
    this.#fence.stop();
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
    const gone = this.fencedSince();
    return () => {
      if (gone()) throw new UnavailableError('write for a fenced host');
      if (!this.#directory.heardRecently()) throw new Error('this host has not heard itself on NATS lately');
    };
  }

  #onFed(fed: FedEvent): void {
    this.#fence.contact();
    this.#deliveries.delivering(fed.msgId);
    this.#hub?.deliver(fed.event);
    this.#deliveries.reached(fed.event.seq);
    // The others took us for dead and let our users go: we are fenced, whatever we thought.
    if (fed.reaped === this.#incarnation) this.#fence.fence('this host was taken for lost by the others');
  }

  #rejoin(): void {
    const old = this.#self();
    this.#incarnation = newIncarnation();
    this.#directory.renewLease();
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
