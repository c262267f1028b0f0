/** The Node transport: chat/1 over a plain TCP socket (`net`), cut into lines by the protocol's splitter. */
import net from 'node:net';
import { LineSplitter } from '../protocol/line-splitter.js';
import type { ClientTransport, Connector, TransportLimits, TransportSink } from './transport.js';

export interface TcpAddress {
  host: string;
  port: number;
}

export function tcpConnector(address: TcpAddress): Connector {
  return {
    address: `${address.host}:${address.port}`,
    connect: (sink, limits) => new TcpTransport(address, limits, sink),
  };
}

export class TcpTransport implements ClientTransport {
  readonly #socket: net.Socket;
  readonly #sink: TransportSink;
  readonly #splitter: LineSplitter;
  #error: Error | undefined;
  #closed = false;

  constructor(address: TcpAddress, limits: TransportLimits, sink: TransportSink) {
    this.#sink = sink;
    this.#splitter = new LineSplitter(limits.maxLineBytes, {
      line: (bytes) => {
        // A destroy() from a line handler must stop the rest of the chunk being delivered.
        if (!this.#socket.destroyed) this.#sink.line(bytes.toString('utf8'));
      },
      tooLong: () => {
        this.destroy(new Error(`server sent a line longer than ${limits.maxLineBytes} bytes`));
      },
    });
    this.#socket = net.connect({ host: address.host, port: address.port });
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

  send(line: string): void {
    if (this.#closed || this.#socket.destroyed) return;
    this.#socket.write(`${line}\n`);
  }

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
