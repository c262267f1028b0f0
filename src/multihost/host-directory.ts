/**
 * Which hosts are alive, from their heartbeats on core NATS. Every host publishes one every
 * `heartbeatInterval`; a host silent for `hostTimeout` is dead, and so is an incarnation replaced
 * by a newer one under the same name (a host restarted before its silence was noticed).
 *
 * Hosts are told apart by incarnation (random, new at every start and every rejoin after
 * fencing): a host that comes back is a new incarnation, and the old one's users are gone.
 *
 * A host hears its own heartbeats too (NATS echoes them), and that is how it knows the others
 * hear it. Silent to itself for longer than its lease (the others' timeout less two beats), it
 * may have been taken for lost — frozen, or cut off and back — so it judges nobody meanwhile, and
 * when it hears itself again after such a silence it is told (`onSilenced`): it must fence.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { HEARTBEAT_SUBJECT, ROLL_CALL_SUBJECT } from './names.js';

/** How long a roll call waits for one more answer before it counts the hosts complete. */
const ROLL_CALL_STALL_MS = 250;

export interface HostId {
  host: string;
  incarnation: string;
}

interface Heartbeat extends HostId {
  /** Set on the last heartbeat of a host that stops in good order: it is gone, nothing to reap. */
  leaving?: boolean;
}

export interface HostDirectoryOptions {
  nc: NatsConnection;
  self: () => HostId;
  heartbeatInterval: number;
  hostTimeout: number;
  /** Whether this host takes part now: connected to NATS and not fenced. */
  alive: () => boolean;
  /** A host incarnation is dead: its users must be reaped. */
  onDead: (dead: HostId) => void;
  /** This host heard itself again after `silence` ms, longer than its lease. */
  onSilenced: (silence: number) => void;
  log: Logger;
}

export class HostDirectory {
  readonly #options: HostDirectoryOptions;
  /** incarnation → who it is and when we last heard of it. */
  readonly #peers = new Map<string, HostId & { lastHeard: number }>();
  #subscriptions: Subscription[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Set while this host could not hear anyone: silences from then on say nothing of the others. */
  #blind = false;
  /** When this host last heard its own heartbeat. */
  #heardSelf = Date.now();

  constructor(options: HostDirectoryOptions) {
    this.#options = options;
  }

  /** Starts beating and listening; resolves once the hosts alive now have answered a roll call. */
  async start(): Promise<void> {
    const { nc, heartbeatInterval, self } = this.#options;
    this.renewLease();
    this.#subscriptions = [
      nc.subscribe(HEARTBEAT_SUBJECT, {
        callback: (error, msg) => {
          if (error === null) this.#onHeartbeat(msg.json<Heartbeat>());
        },
      }),
      nc.subscribe(ROLL_CALL_SUBJECT, {
        callback: (error, msg) => {
          if (error === null && this.#options.alive()) msg.respond(JSON.stringify(self()));
        },
      }),
    ];
    // Knowing the others before serving: USERS asks every host from the first command on.
    const answers = await nc
      .requestMany(ROLL_CALL_SUBJECT, '', {
        strategy: 'stall',
        stall: ROLL_CALL_STALL_MS,
        maxWait: heartbeatInterval * 2,
      })
      .catch(() => []);
    for await (const answer of answers) this.#onHeartbeat(answer.json<Heartbeat>());
    this.#beat();
    this.#timer = setInterval(() => {
      this.#beat();
      this.#judge();
    }, heartbeatInterval);
  }

  /**
   * Whether the others can be trusted to count this host among the living: it heard itself
   * within its lease. Nothing may be written for its users otherwise.
   */
  heardRecently(): boolean {
    return Date.now() - this.#heardSelf <= this.#lease();
  }

  /** A new lease, for a new incarnation (after a rejoin): nobody can have taken it for lost. */
  renewLease(): void {
    this.#heardSelf = Date.now();
  }

  /** The live peers (not this host). */
  peers(): HostId[] {
    return [...this.#peers.values()].map(({ host, incarnation }) => ({ host, incarnation }));
  }

  /** Whether `incarnation` is this host's or a peer's heard of lately. */
  isLive(incarnation: string): boolean {
    return incarnation === this.#options.self().incarnation || this.#peers.has(incarnation);
  }

  /**
   * Watches an incarnation known only from the state it left (its claims): if no heartbeat
   * of it comes within `hostTimeout`, it is dead like any silent host. `silentSince` 0 judges it
   * at the next look.
   */
  suspect(id: HostId, silentSince = Date.now()): void {
    if (this.isLive(id.incarnation)) return;
    this.#peers.set(id.incarnation, { ...id, lastHeard: silentSince });
  }

  /** Stops beating; with `leaving`, tells the others this host is gone in good order. */
  stop(leaving: boolean): void {
    clearInterval(this.#timer);
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    if (leaving && !this.#options.nc.isClosed()) {
      this.#options.nc.publish(HEARTBEAT_SUBJECT, JSON.stringify({ ...this.#options.self(), leaving: true }));
    }
  }

  #beat(): void {
    const { nc, alive, self } = this.#options;
    if (alive() && !nc.isClosed()) nc.publish(HEARTBEAT_SUBJECT, JSON.stringify(self()));
  }

  #onHeartbeat(beat: Heartbeat): void {
    const self = this.#options.self();
    if (typeof beat.host !== 'string' || typeof beat.incarnation !== 'string') return;
    if (beat.incarnation === self.incarnation) {
      const silence = Date.now() - this.#heardSelf;
      this.#heardSelf = Date.now();
      if (silence > this.#lease()) this.#options.onSilenced(silence);
      return;
    }
    if (beat.leaving === true) {
      this.#peers.delete(beat.incarnation);
      return;
    }
    if (!this.#peers.has(beat.incarnation)) {
      this.#options.log.info(`host ${beat.host} is here (incarnation ${beat.incarnation})`);
      // The same name under a new incarnation: the old one is gone, whatever its silence says.
      for (const peer of this.#peers.values()) {
        if (peer.host === beat.host) peer.lastHeard = 0;
      }
    }
    this.#peers.set(beat.incarnation, { host: beat.host, incarnation: beat.incarnation, lastHeard: Date.now() });
    this.#judge();
  }

  #judge(): void {
    const now = Date.now();
    if (!this.#options.alive() || !this.heardRecently()) {
      this.#blind = true;
      return;
    }
    if (this.#blind) {
      // We were cut off ourselves: everyone gets a fresh timeout to be heard again.
      this.#blind = false;
      for (const peer of this.#peers.values()) peer.lastHeard = Math.max(peer.lastHeard, now);
    }
    for (const [incarnation, peer] of this.#peers) {
      if (now - peer.lastHeard <= this.#options.hostTimeout) continue;
      this.#peers.delete(incarnation);
      this.#options.log.warn(`host ${peer.host} (incarnation ${incarnation}) is lost`);
      this.#options.onDead({ host: peer.host, incarnation });
    }
  }

  /** How long this host may go without hearing itself before the others may take it for lost. */
  #lease(): number {
    return this.#options.hostTimeout - 2 * this.#options.heartbeatInterval;
  }
}
