/** The Node transport: chat/1 over a TCP socket (`net`, or `tls` over it), cut into lines by the protocol's splitter. */
import net from 'node:net';
import tls from 'node:tls';
import { LineSplitter } from '../protocol/line-splitter.js';
import type { ClientTransport, Connector, TransportLimits, TransportSink } from './transport.js';

export interface TcpAddress {
  host: string;
  port: number;
  /** Speak TLS; `ca` (PEM) is a private CA to trust instead of the usual ones. */
  tls?: { ca?: string };
}

export function tcpConnector(address: TcpAddress): Connector {
  return {
    address: `${address.host}:${address.port}${address.tls === undefined ? '' : ' (TLS)'}`,
    connect: (sink, limits) => new TcpTransport(address, limits, sink),
  };
}

class TcpTransport implements ClientTransport {
  readonly #socket: net.Socket;
  readonly #sink: TransportSink;
  readonly #splitter: LineSplitter;
  #error: Error | undefined;
  #closed = false;

  constructor(address: TcpAddress, limits: TransportLimits, sink: TransportSink) {
    this.#sink = sink;
    this.#splitter = new LineSplitter(limits.maxLineBytes, {
      line: (bytes) => {
        // A destroy() from a line handler must stop the rest of the chunk being delivered; an
        // empty line carries nothing.
        if (!this.#socket.destroyed && bytes.length > 0) this.#sink.line(bytes.toString('utf8'));
      },
      tooLong: () => {
        this.destroy(new Error(`server sent a line longer than ${limits.maxLineBytes} bytes`));
      },
    });
    const { host, port } = address;
    this.#socket =
      address.tls === undefined
        ? net.connect({ host, port })
        : // The certificate must name the host; SNI carries a host name, never an IP address.
          tls.connect({ host, port, ca: address.tls.ca, servername: net.isIP(host) === 0 ? host : undefined });
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
