/**
 * The client library's one seam to the network: a transport carries chat/1 lines to a server
 * and back, and knows nothing of commands or reconnecting. `ChatSession` asks its `Connector`
 * for a fresh transport on every attempt. Two implementations: TCP in Node
 * (`tcp-transport.ts`) and WebSocket in browsers (`websocket-transport.ts`).
 */

export interface TransportSink {
  /** One line from the server, without its LF, in arrival order. */
  line(text: string): void;
  /** The transport is gone, for good; called exactly once. `error` is why, when it was not a clean close. */
  closed(error: Error | undefined): void;
}

export interface ClientTransport {
  /** True once `closed` has been reported. */
  readonly closed: boolean;
  /** Sends one line; the caller guarantees it holds no LF. Lines sent after close are dropped. */
  send(line: string): void;
  /** Closes at once; `closed` follows with `error` (if any) as the reason. */
  destroy(error?: Error): void;
}

export interface TransportLimits {
  /** A server line longer than this breaks the transport (a lost reply would put the pipeline out of step). */
  maxLineBytes: number;
}

export interface Connector {
  /** Where it connects, for messages (`127.0.0.1:7000`, `ws://127.0.0.1:7080/ws`). */
  readonly address: string;
  /** Starts one connection attempt; the sink hears its lines and its end. */
  connect(sink: TransportSink, limits: TransportLimits): ClientTransport;
}
