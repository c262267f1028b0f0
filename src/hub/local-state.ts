/**
 * One host's chat-wide state: the hub's own users are everyone, and this process is the
 * sequencer. Every public event is sequenced, handed to the event log (the history file, or
 * memory with `--no-persist`) and held; it reaches the workers, and its requester its answer,
 * only once the log says it is written. So no client ever holds a seq a restarted primary does
 * not know.
 *
 * When a write fails, the events of that write and every one sequenced after it were delivered
 * to nobody: they are rolled back. Their requesters get `ERROR UNAVAILABLE` (the hub undoes what
 * it did for them: a REGISTER frees its nick, a NICK keeps the old one), and their seqs are given
 * out again later. The state is then in an outage: new public events are refused, while
 * everything else goes on. A LEAVE cannot be refused (a user who disconnects is gone): its nick is
 * free at once, and the LEAVE waits — at most one per user — to be published when the log has
 * room again, as is any LEAVE the failed write rolled back.
 */
import type { Logger } from '../log.js';
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';
import type { ChatState, HubSide, SeqCallback } from './chat-state.js';
import type { EventLog, EventLogListener } from './event-log.js';

export interface LocalStateOptions {
  epoch: string;
  lastSeq: number;
  /** Where events are written before they are delivered. */
  journal: EventLog;
  log: Logger;
  now?: () => number;
}

/** A sequenced event waiting for its write. */
interface Held {
  event: PublicEvent;
  done: SeqCallback;
  before: (() => void) | undefined;
  /** A LEAVE that cannot be refused: rolled back, it waits for the outage to end. */
  mustLeave: boolean;
}

/** A LEAVE waiting for the end of an outage. */
interface WaitingLeave {
  nick: string;
  reason: string;
  time: string;
}

export class LocalState implements ChatState, EventLogListener {
  readonly epoch: string;
  readonly #journal: EventLog;
  readonly #log: Logger;
  readonly #now: () => number;
  /** The last seq given out, and the last one delivered (written, and sent to the workers). */
  #sequenced: number;
  #delivered: number;
  /** Events sequenced and not yet written, in seq order. */
  #held: Held[] = [];
  /** Why the log cannot be written, during an outage. */
  #outage: string | null = null;
  #waitingLeaves: WaitingLeave[] = [];
  #hub: HubSide | undefined;

  constructor(options: LocalStateOptions) {
    this.epoch = options.epoch;
    this.#sequenced = options.lastSeq;
    this.#delivered = options.lastSeq;
    this.#journal = options.journal;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#journal.listen(this);
  }

  get lastSeq(): number {
    return this.#delivered;
  }

  get unavailable(): string {
    if (this.#outage !== null) return `history cannot be written: ${this.#outage}`;
    return 'history is written too slowly right now; try again';
  }

  start(hub: HubSide): Promise<void> {
    this.#hub = hub;
    return Promise.resolve();
  }

  claim(_nick: string, done: (claimed: boolean) => void): void {
    // The hub has checked its users, and they are everyone.
    done(true);
  }

  unclaim(): void {
    // Nothing is held beyond the hub's own registry.
  }

  publish(type: PublicEventType, nick: string, text: string, done: SeqCallback, before?: () => void): void {
    if (this.#refused()) {
      done(undefined);
      return;
    }
    this.#sequence(type, nick, text, done, before);
  }

  leave(nick: string, reason: string, done?: () => void): void {
    if (this.#outage !== null) {
      // Accepted now, published once the log has room: the nick is free already.
      this.#waitingLeaves.push({ nick, reason, time: this.#time() });
      done?.();
      return;
    }
    this.#sequence('LEAVE', nick, reason, () => done?.(), undefined, true);
  }

  /** Both events in one write: a rename is on disk whole, or rolled back whole. */
  rename(old: string, nick: string, reason: string, done: SeqCallback): void {
    if (this.#refused()) {
      done(undefined);
      return;
    }
    this.#sequence('LEAVE', old, reason, () => {});
    this.#sequence('JOIN', nick, '', done);
  }

  users(done: (nicks: string[]) => void): void {
    done(this.#hub?.localNicks() ?? []);
  }

  dmElsewhere(_nick: string, _line: string, done: (found: boolean) => void): void {
    done(false);
  }

  kickElsewhere(_nick: string, _why: string, done: (found: boolean) => void): void {
    done(false);
  }

  /** Waits for the events held to be written (and delivered), so a shutdown's last LEAVEs go out. */
  async close(): Promise<void> {
    await this.#journal.flush();
    const lost = this.#waitingLeaves.map((leave) => leave.nick);
    if (lost.length > 0)
      this.#log.error(`stopping with the LEAVE of ${lost.join(', ')} never written (the disk stayed full)`);
  }

  /** The log has written every event up to `seq`: they go out, in order, each answered. */
  written(seq: number): void {
    for (let held = this.#held[0]; held !== undefined && held.event.seq <= seq; held = this.#held[0]) {
      this.#held.shift();
      held.before?.();
      this.#delivered = held.event.seq;
      this.#hub?.deliver(held.event);
      held.done(held.event.seq);
    }
  }

  /** Nothing after `writtenSeq` reached anyone: rolled back, seqs to be given out again. */
  failed(writtenSeq: number, reason: string): void {
    this.#outage = reason;
    this.#sequenced = writtenSeq;
    const rolledBack = this.#held;
    this.#held = [];
    for (const { event, done, mustLeave } of rolledBack) {
      if (mustLeave) this.#waitingLeaves.push({ nick: event.nick, reason: event.text, time: event.time });
      // A LEAVE's requester is done either way: its LEAVE waits, it does not.
      done(undefined);
    }
  }

  /** Room again: the LEAVEs that waited are published first, in the order they happened. */
  recovered(): void {
    this.#outage = null;
    const waiting = this.#waitingLeaves;
    this.#waitingLeaves = [];
    for (const { nick, reason, time } of waiting)
      this.#sequence('LEAVE', nick, reason, () => {}, undefined, true, time);
  }

  #refused(): boolean {
    return this.#outage !== null || this.#journal.stalled;
  }

  #sequence(
    type: PublicEventType,
    nick: string,
    text: string,
    done: SeqCallback,
    before?: () => void,
    mustLeave = false,
    time = this.#time(),
  ): void {
    const event: PublicEvent = { type, seq: ++this.#sequenced, time, nick, text };
    this.#held.push({ event, done, before, mustLeave });
    this.#journal.append(event);
  }

  #time(): string {
    return new Date(this.#now()).toISOString();
  }
}
