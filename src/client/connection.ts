/**
 * One TCP connection to a chat/1 server: bytes in, parsed lines out; lines out, bytes in. It knows
 * nothing of commands or reconnecting (that is `ChatClient`'s job), only the socket's life.
 */
import net from 'node:net';
import { LineSplitter, parseServerLine, type ServerLine } from '../protocol/index.js';

export interface ConnectionSink {
  /** One line from the server, in arrival order. */
  line(line: ServerLine): void;
  /** The socket is gone, for good; called exactly once. `error` is why, when it was not a clean close. */
  closed(error: Error | undefined): void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  /** A server line longer than this breaks the connection (a reply could be lost, so the pipeline would be out of step). */
  maxLineBytes: number;
}

export class Connection {
  readonly #socket: net.Socket;
  readonly #sink: ConnectionSink;
  readonly #splitter: LineSplitter;
  #error: Error | undefined;
  #closed = false;

  constructor(options: ConnectionOptions, sink: ConnectionSink) {
    this.#sink = sink;
    this.#splitter = new LineSplitter(options.maxLineBytes, {
      line: (bytes) => {
        // A destroy() from a line handler must stop the rest of the chunk being delivered.
        if (!this.#socket.destroyed) this.#sink.line(parseServerLine(bytes.toString('utf8')));
      },
      tooLong: () => {
        this.destroy(new Error(`server sent a line longer than ${options.maxLineBytes} bytes`));
      },
    });
    this.#socket = net.connect({ host: options.host, port: options.port });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => {
      this.#socketOnData(chunk);
    });
    this.#socket.on('error', (error: Error) => {
      this.#socketOnError(error);
    });
    this.#socket.on('close', () => {
      this.#socketOnClose();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one line; the caller guarantees it holds no LF. Lines written after close are dropped. */
  send(line: string): void {
    if (this.#closed || this.#socket.destroyed) return;
    this.#socket.write(`${line}\n`);
  }

  /** Closes at once; `closed` follows with `error` (if any) as the reason. */
  destroy(error?: Error): void {
    if (error !== undefined && this.#error === undefined) this.#error = error;
    this.#socket.destroy();
  }

  #socketOnData(chunk: Buffer): void {
    if (this.#socket.destroyed) return;
    this.#splitter.push(chunk);
  }

  #socketOnError(error: Error): void {
    if (this.#error === undefined) this.#error = error;
  }

  #socketOnClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink.closed(this.#error);
  }
}
