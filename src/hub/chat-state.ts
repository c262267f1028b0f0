/**
 * The chat-wide state behind the hub: who holds which nick across the chat, the sequencer of
 * public events, where a user on another host is. Two implementations: `LocalState`
 * (`local-state.ts`: one host, the primary's memory and the history file, the default) and
 * `JetStreamState` (`src/multihost/`: several hosts sharing NATS JetStream, `--nats`). The hub, the sessions, the workers and the clients do
 * not know which one runs.
 *
 * Results come through callbacks, not promises: the local state answers before it returns, so
 * the single-host path stays synchronous — one request handled whole in one go, as before —
 * while the JetStream state answers later. `undefined` means the shared state is out of reach
 * (the command fails with `ERROR UNAVAILABLE`, and nothing changed).
 */
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';

/** The answer to a publish: the event's seq, or undefined when the state is out of reach. */
export type SeqCallback = (seq: number | undefined) => void;

/** What the hub gives the state: its own users, and the way events reach the workers. */
export interface HubSide {
  /** Formats the event, keeps it in the history and sends it to every worker. */
  deliver(event: PublicEvent): void;
  /** The nicks registered on this host. */
  localNicks(): string[];
  /** Writes a DM line to the local holder of `nick`; false when it is not here. */
  deliverDm(nick: string, line: string): boolean;
  /** Kicks the local holder of `nick`; `done` once its LEAVE is stored; false when it is not here. */
  kickLocal(nick: string, why: string, done: (found: boolean) => void): void;
  /** This host has lost the chat: every client is closed; new ones are refused until `rejoined`. */
  fence(): void;
  rejoined(): void;
}

export interface ChatState {
  readonly epoch: string;
  /** The last seq delivered to this host's workers. */
  readonly lastSeq: number;
  /** Why a command that got `undefined` cannot be done now: the text of its `ERROR UNAVAILABLE`. */
  readonly unavailable: string;
  /** Starts serving: the retained events are delivered before it resolves. */
  start(hub: HubSide): Promise<void>;
  /** Claims `nick` chat-wide (the hub has checked its own users): false when someone holds it. */
  claim(nick: string, done: (claimed: boolean | undefined) => void): void;
  /** Gives back a nick claimed but not used (its connection went away meanwhile). */
  unclaim(nick: string): void;
  /**
   * Sequences a public event. `before` runs just before it reaches the workers (to enrol a new
   * user, who then sees its own JOIN); `done` runs after, with its seq.
   */
  publish(type: PublicEventType, nick: string, text: string, done: SeqCallback, before?: () => void): void;
  /**
   * `LEAVE <nick> <reason>`, then the nick is free chat-wide. Cannot fail: retried as long as
   * this host is part of the chat (a fenced host's users are let go by the others).
   */
  leave(nick: string, reason: string, done?: () => void): void;
  /** A nick change: `LEAVE old <reason>` and `JOIN new` in a row, then `old` is free. */
  rename(old: string, nick: string, reason: string, done: SeqCallback): void;
  /** Everyone registered anywhere, sorted as `USERS` lists them. */
  users(done: (nicks: string[] | undefined) => void): void;
  /** A DM for a nick no user of this host holds. */
  dmElsewhere(nick: string, line: string, done: (found: boolean | undefined) => void): void;
  /** A KICK of a nick no user of this host holds. */
  kickElsewhere(nick: string, why: string, done: (found: boolean | undefined) => void): void;
  /** Leaves the chat in good order, after the last LEAVE. */
  close(): Promise<void>;
}
