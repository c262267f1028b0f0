/**
 * The IPC between the harness and its load generators: requests carry an `id`, each is answered
 * by exactly one reply with the same `id`. Results are typed per request type.
 */

/** How a load generator talks to a server: chat/1 lines over TCP or over a WebSocket, or Socket.IO events. */
export type Wire = 'chat' | 'chat-ws' | 'socketio';

export interface ConnectRequest {
  type: 'connect';
  host: string;
  port: number;
  wire: Wire;
  /** Global index of this generator's first client: its nick is `b<firstIndex>`. */
  firstIndex: number;
  count: number;
  /** How many of these clients (the last ones, never senders) decode every message's latency. */
  sampled: number;
  /** How many connection attempts may be in flight at once. */
  concurrency: number;
}

export interface SendRequest {
  type: 'send';
  /** The first `senders` clients send, in turn, `rate` messages/s in total for `durationMs`. */
  senders: number;
  rate: number;
  durationMs: number;
  size: number;
}

export type LoadRequestBody =
  | ConnectRequest
  | { type: 'register'; limitMs: number }
  | { type: 'reset' }
  | SendRequest
  | { type: 'progress' }
  | { type: 'report' }
  | { type: 'close' };

export type LoadRequest = LoadRequestBody & { id: number };

interface ConnectResult {
  connected: number;
  failed: number;
}

interface RegisterResult {
  registered: number;
  /** Refused, cut off, or not confirmed within the limit. */
  failed: number;
}

export interface Progress {
  msgs: number;
  joins: number;
  /** Socket reads (chat/1 only; Socket.IO hands over decoded events). */
  chunks: number;
  /** Clients whose connection is still open. */
  open: number;
  lastMsgAtMicros: number;
}

export interface LoadReport extends Progress {
  sent: number;
  /** Latency histogram of the sampled clients as sparse [bucket, count] pairs (see stats.ts). */
  latencyBuckets: Array<[number, number]>;
  latencyMaxMicros: number;
  /** CPU this generator spent since the last reset, to tell whether the load side was saturated. */
  cpuMicros: number;
}

export interface LoadResults {
  connect: ConnectResult;
  register: RegisterResult;
  reset: null;
  send: { sent: number };
  progress: Progress;
  report: LoadReport;
  close: null;
}

export type LoadReply =
  | { type: 'reply'; id: number; result: LoadResults[keyof LoadResults] }
  | { type: 'failed'; id: number; message: string };

export function isLoadRequest(message: unknown): message is LoadRequest {
  return typeof message === 'object' && message !== null && 'type' in message && 'id' in message;
}

export function isLoadReply(message: unknown): message is LoadReply {
  return (
    typeof message === 'object' &&
    message !== null &&
    'id' in message &&
    typeof message.id === 'number' &&
    'type' in message &&
    (message.type === 'reply' || message.type === 'failed')
  );
}
