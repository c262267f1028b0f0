/** Every limit and timing of a `ChatClient`, with its default in one place. */
import type { BackoffOptions } from './backoff.js';
import type { Connector } from './transport.js';

export interface ChatClientOptions {
  /** Where and how to connect: `tcpConnector({ host, port })` in Node, `webSocketConnector(url, WebSocket)` in a browser. */
  connector: Connector;
  /** The nick to register. Without one, `connect()` needs a `chooseNick` to ask for it. */
  nick: string | undefined;
  /** Connection attempts before giving up, for the first connection and for each reconnect. */
  retries: number;
  /** An attempt that has no `WELCOME` this long after it started has failed. */
  greetingTimeoutMs: number;
  /** Commands kept while disconnected. */
  maxQueued: number;
  /** Longest line the client sends (the server's `--max-line`). */
  maxLineBytes: number;
  /** Longest line accepted from the server (a full `USERS` reply can be long). */
  maxIncomingLineBytes: number;
  /**
   * `REGISTER` retries after a reconnect answered `NICK_TAKEN` (the old session may not be freed
   * yet). With the backoff's delays, 8 retries wait at least 16 s: long enough for the nicks of a
   * dead host of a multi-host chat to be freed (within 15 s).
   */
  nickRetries: number;
  /** Events asked for with `HISTORY <n>` when a reconnect finds a new epoch. */
  replayOnNewEpoch: number;
  /** Reconnect when the connection drops; false makes a drop final. */
  reconnect: boolean;
  backoff: Partial<BackoffOptions>;
}

/** What a caller gives: the connector, and any option to change (the nick, unless `connect()` asks for it). */
export type ChatClientSettings = Partial<ChatClientOptions> & Pick<ChatClientOptions, 'connector'>;

export const DEFAULT_CLIENT_OPTIONS: Omit<ChatClientOptions, 'connector' | 'nick'> = {
  retries: 5,
  greetingTimeoutMs: 4_000,
  maxQueued: 100,
  maxLineBytes: 4096,
  maxIncomingLineBytes: 1024 * 1024,
  nickRetries: 8,
  replayOnNewEpoch: 50,
  reconnect: true,
  backoff: {},
};

export function resolveClientOptions(options: ChatClientSettings): ChatClientOptions {
  const resolved = { ...DEFAULT_CLIENT_OPTIONS, nick: undefined, ...options };
  const counts = [
    'retries',
    'greetingTimeoutMs',
    'maxQueued',
    'maxLineBytes',
    'maxIncomingLineBytes',
    'nickRetries',
    'replayOnNewEpoch',
  ] as const;
  for (const name of counts) {
    if (!(Number.isInteger(resolved[name]) && resolved[name] > 0))
      throw new RangeError(`${name} must be a positive integer`);
  }
  return resolved;
}
