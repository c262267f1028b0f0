/**
 * The browser transport: chat/1 over a WebSocket (`GET /ws`). A server frame carries one or more
 * complete lines, each ending in LF; each line sent is one text frame. Uses the browser's
 * `WebSocket`, or any class with its interface (the `ws` package's, in Node).
 */
import { utf8ByteLength } from '../protocol/text.js';
import type { ClientTransport, Connector, TransportLimits, TransportSink } from './transport.js';

/**
 * What this transport needs of a WebSocket: the part of the WHATWG interface both browsers and
 * `ws` have. Their event classes differ, so the handlers take `never` here and each handler
 * below declares the few fields it reads (`data`; `code` and `reason`), which both provide.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketClass = new (url: string) => WebSocketLike;

const OPEN = 1;
/** Close codes that mean the server closed on purpose (after a BYE, or going away). */
const CLEAN_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001]);

export function webSocketConnector(url: string, WebSocketImpl: WebSocketClass): Connector {
  return {
    address: url,
    connect: (sink, limits) => new WebSocketTransport(new WebSocketImpl(url), limits, sink),
  };
}

function ignoreErrorEvent(): void {
  // See the constructor.
}

export class WebSocketTransport implements ClientTransport {
  readonly #socket: WebSocketLike;
  readonly #sink: TransportSink;
  readonly #maxLineBytes: number;
  #opened = false;
  #error: Error | undefined;
  /** No more lines are delivered: destroyed, or closed. */
  #done = false;
  #closed = false;

  constructor(socket: WebSocketLike, limits: TransportLimits, sink: TransportSink) {
    this.#socket = socket;
    this.#sink = sink;
    this.#maxLineBytes = limits.maxLineBytes;
    socket.onopen = () => {
      this.#opened = true;
    };
    socket.onmessage = (event: { data: unknown }) => {
      this.#socketOnMessage(event.data);
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      this.#socketOnClose(event.code, event.reason);
    };
    // The error event tells nothing (in browsers); the close event that follows has the code.
    // A handler must be there all the same: `ws` throws an error event nobody listens to.
    socket.onerror = ignoreErrorEvent;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(line: string): void {
    if (this.#done || this.#socket.readyState !== OPEN) return;
    this.#socket.send(line);
  }

  /**
   * Like a TCP socket's destroy: no waiting for the closing handshake (a silent server would
   * hold it for long); `closed` is reported right after the caller's turn.
   */
  destroy(error?: Error): void {
    if (error !== undefined && this.#error === undefined) this.#error = error;
    if (this.#done) return;
    this.#done = true;
    this.#socket.close();
    queueMicrotask(() => {
      this.#finish();
    });
  }

  #socketOnMessage(data: unknown): void {
    if (this.#done) return;
    if (typeof data !== 'string') {
      this.destroy(new Error('server sent a binary frame'));
      return;
    }
    let start = 0;
    // A line handler may destroy us: the rest of the frame must not be delivered then.
    while (start < data.length && !this.#isDone()) {
      const lf = data.indexOf('\n', start);
      const end = lf === -1 ? data.length : lf;
      const line = data.endsWith('\r', end) ? data.slice(start, end - 1) : data.slice(start, end);
      start = end + 1;
      if (line === '') continue;
      // Three bytes per UTF-16 unit at most: most lines are judged without counting.
      if (line.length * 3 > this.#maxLineBytes && utf8ByteLength(line) > this.#maxLineBytes) {
        this.destroy(new Error(`server sent a line longer than ${this.#maxLineBytes} bytes`));
        return;
      }
      this.#sink.line(line);
    }
  }

  #isDone(): boolean {
    return this.#done;
  }

  #socketOnClose(code: number, reason: string): void {
    if (this.#error === undefined && !CLEAN_CLOSE_CODES.has(code)) {
      const why = this.#opened ? 'connection lost' : 'cannot connect';
      this.#error = new Error(`${why} (WebSocket close ${code}${reason === '' ? '' : `: ${reason}`})`);
    }
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#done = true;
    this.#closed = true;
    this.#socket.onopen = null;
    this.#socket.onmessage = null;
    this.#socket.onclose = null;
    // onerror stays: `ws` may still report the end of a socket we no longer wait for.
    this.#sink.closed(this.#error);
  }
}
