/** What a `ChatClient` tells its user: the typed event map and the shapes it carries. */
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';
import type { ServerReplyError } from './errors.js';

export type ClientState = 'idle' | 'connecting' | 'syncing' | 'ready' | 'reconnecting' | 'closed';

export interface Welcome {
  workerId: number;
  lastSeq: number;
  epoch: string;
}

/**
 * Asks the user for a nick: with no refusal the first time, then with the server's refusal of the
 * last one (`NICK_TAKEN`, `BAD_NICK`). Resolves undefined when the user gives up; `signal` aborts
 * when the client ends meanwhile, and the question should go away.
 */
export type NickChooser = (refusal: ServerReplyError | undefined, signal: AbortSignal) => Promise<string | undefined>;

export interface DirectMessage {
  time: string;
  from: string;
  text: string;
}

export interface ConnectingInfo {
  /** 1-based attempt number within this (re)connection episode. */
  attempt: number;
  /** Attempts allowed before giving up. */
  attempts: number;
  address: string;
}

export interface ConnectedInfo {
  workerId: number;
  nick: string;
  /** True after a reconnect (a replay follows), false on the first connection. */
  reconnected: boolean;
}

export interface DisconnectedInfo {
  reason: string;
  willReconnect: boolean;
}

export interface ReconnectingInfo {
  /** The attempt about to be made, 1-based. */
  attempt: number;
  attempts: number;
  delayMs: number;
  /** Why the previous attempt or the connection failed. */
  reason: string;
}

export interface ReplayedInfo {
  /** Public events delivered by the catch-up (missed while away; none twice). */
  count: number;
  /** Events lost for good: missed while away and no longer retained by the server. */
  missing: number;
  /** The server's history was reset: seqs from before mean nothing, the last few events were replayed instead. */
  newEpoch: boolean;
  epoch: string;
}

export interface ClosedInfo {
  reason: string;
  error: Error | undefined;
}

export interface ChatClientEvents {
  connecting: [ConnectingInfo];
  welcome: [Welcome];
  connected: [ConnectedInfo];
  disconnected: [DisconnectedInfo];
  reconnecting: [ReconnectingInfo];
  replayed: [ReplayedInfo];
  /** Every public event once, in seq order; the four below are the same events by type. */
  public: [PublicEvent];
  message: [PublicEvent];
  join: [PublicEvent];
  leave: [PublicEvent];
  announce: [PublicEvent];
  /** Public events after `after` up to `after + missing` were never received. */
  gap: [{ after: number; missing: number }];
  dm: [DirectMessage];
  bye: [string];
  /** For good: quit, kicked, or gave up reconnecting. */
  closed: [ClosedInfo];
}

/** The event each type of public event is also told as. */
export const EVENT_OF_TYPE = {
  MSG: 'message',
  JOIN: 'join',
  LEAVE: 'leave',
  ANNOUNCE: 'announce',
} as const satisfies Record<PublicEventType, keyof ChatClientEvents>;

export interface HistoryResult {
  /** The server's count of replayed events. */
  count: number;
  /** Replayed events that had already been delivered live (older ones); newer ones arrive as live events. */
  events: PublicEvent[];
}
