/**
 * One simulated user, over chat/1 lines (TCP or WebSocket) or over Socket.IO: the load generator drives both
 * through this interface and reads what each received from its DeliveryCounter.
 */
import net from 'node:net';
import { io, type Socket as SocketIoClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { nowMicros } from './clock.js';
import { createDeliveryCounter, DeliveryCounter } from './delivery-counter.js';
import type { Wire } from './load-messages.js';
import { readTimestampFromText } from './payload.js';
import type { ClientToServerEvents, ServerToClientEvents } from './socketio-events.js';
import type { LatencyHistogram } from './stats.js';

export interface BenchClient {
  readonly counter: DeliveryCounter;
  readonly open: boolean;
  /** Resolves true once the server confirmed the nick, false if it refused or the connection closed. */
  register(nick: string): Promise<boolean>;
  /** Sends `count` messages with the same text, joined into one write where the wire allows it. */
  sendMessages(text: string, count: number): void;
  close(): void;
}

export interface ClientEndpoint {
  wire: Wire;
  host: string;
  port: number;
}

/**
 * Connects and resolves once the server greeted the client (chat/1 WELCOME, Socket.IO connect).
 * With `latencies`, the client decodes the send time of every message it receives into it.
 */
export function connectBenchClient(endpoint: ClientEndpoint, latencies?: LatencyHistogram): Promise<BenchClient> {
  switch (endpoint.wire) {
    case 'chat':
      return ChatBenchClient.connect(endpoint, latencies);
    case 'chat-ws':
      return WsChatBenchClient.connect(endpoint, latencies);
    case 'socketio':
      return SocketIoBenchClient.connect(endpoint, latencies);
  }
}

/**
 * Safe to share: each read is handed to its callback synchronously, before the next read, and
 * counters keep no reference to it (a sampled counter copies the unfinished tail).
 */
const SHARED_RECEIVE_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * A chat/1 client for the load: it counts what it receives on the spot and sends raw lines.
 * The transport (TCP, or a WebSocket to /ws) is all its two kinds differ in.
 */
abstract class ChatLinesBenchClient implements BenchClient {
  readonly counter: DeliveryCounter;
  #open = true;
  #wake: (() => void) | undefined;

  protected constructor(counter: DeliveryCounter) {
    this.counter = counter;
  }

  get open(): boolean {
    return this.#open;
  }

  register(nick: string): Promise<boolean> {
    this.write(`REGISTER ${nick}\n`);
    return this.#until(() => this.counter.oks + this.counter.errors > 0).then(() => this.counter.oks > 0);
  }

  sendMessages(text: string, count: number): void {
    if (!this.#open) return;
    const line = `MSG ${text}\n`;
    this.write(count === 1 ? line : line.repeat(count));
  }

  abstract close(): void;

  /** Sends lines, each ended by LF, in one write (one frame on a WebSocket). */
  protected abstract write(lines: string): void;

  /** Bytes from the server: counted at once. */
  protected received(bytes: Buffer): void {
    this.counter.push(bytes);
    this.#wake?.();
  }

  protected closed(): void {
    this.#open = false;
    this.#wake?.();
  }

  /** Resolves once the server greeted the client; rejects when the connection closes first. */
  protected async greeted(address: string): Promise<this> {
    if (await this.#until(() => this.counter.welcomes > 0)) return this;
    throw new Error(`connection to ${address} closed before WELCOME`);
  }

  /** Resolves true when `condition` holds after some received data, false if the connection closes first. */
  #until(condition: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (condition()) resolve(true);
        else if (!this.#open) resolve(false);
        else return;
        this.#wake = undefined;
      };
      this.#wake = check;
      check();
    });
  }
}

class ChatBenchClient extends ChatLinesBenchClient {
  readonly #socket: net.Socket;

  private constructor(endpoint: ClientEndpoint, counter: DeliveryCounter) {
    super(counter);
    this.#socket = net.connect({
      port: endpoint.port,
      host: endpoint.host,
      noDelay: true,
      // Reads land in one shared buffer and are counted on the spot: no Buffer per read and no
      // stream machinery, the bulk of a load generator's cost at millions of deliveries/s.
      onread: {
        buffer: SHARED_RECEIVE_BUFFER,
        callback: (bytes) => {
          this.received(SHARED_RECEIVE_BUFFER.subarray(0, bytes));
          return true;
        },
      },
    });
    this.#socket.on('error', () => {
      // 'close' follows and is what the harness acts on.
    });
    this.#socket.on('close', () => {
      this.closed();
    });
  }

  static connect(endpoint: ClientEndpoint, latencies: LatencyHistogram | undefined): Promise<BenchClient> {
    return new ChatBenchClient(endpoint, createDeliveryCounter(latencies)).greeted(`${endpoint.host}:${endpoint.port}`);
  }

  protected write(lines: string): void {
    this.#socket.write(lines);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** chat/1 over WebSocket (`GET /ws` on the HTTP port), with the `ws` package, as a browser would speak it. */
class WsChatBenchClient extends ChatLinesBenchClient {
  readonly #ws: WebSocket;

  private constructor(url: string, counter: DeliveryCounter) {
    super(counter);
    this.#ws = new WebSocket(url, { perMessageDeflate: false });
    this.#ws.on('message', (data: Buffer) => {
      this.received(data);
    });
    this.#ws.on('error', () => {
      // 'close' follows and is what the harness acts on.
    });
    this.#ws.on('close', () => {
      this.closed();
    });
  }

  static connect(endpoint: ClientEndpoint, latencies: LatencyHistogram | undefined): Promise<BenchClient> {
    const url = `ws://${endpoint.host}:${endpoint.port}/ws`;
    return new WsChatBenchClient(url, createDeliveryCounter(latencies)).greeted(url);
  }

  protected write(lines: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(lines);
  }

  close(): void {
    this.#ws.terminate();
  }
}

type ChatClientSocket = SocketIoClientSocket<ServerToClientEvents, ClientToServerEvents>;

class SocketIoBenchClient implements BenchClient {
  readonly counter = new DeliveryCounter();
  readonly #socket: ChatClientSocket;
  #open = true;

  private constructor(socket: ChatClientSocket, latencies: LatencyHistogram | undefined) {
    this.#socket = socket;
    const counter = this.counter;
    socket.on('msg', (message) => {
      counter.msgs++;
      const receivedAt = nowMicros();
      counter.lastMsgAtMicros = receivedAt;
      if (latencies === undefined) return;
      const sentAt = readTimestampFromText(message.text);
      if (sentAt !== -1) latencies.record(receivedAt - sentAt);
    });
    socket.on('join', () => {
      counter.joins++;
    });
    socket.on('disconnect', () => {
      this.#open = false;
    });
  }

  static connect(endpoint: ClientEndpoint, latencies: LatencyHistogram | undefined): Promise<BenchClient> {
    // forceNew: without it every io() to the same URL would share one connection.
    const socket: ChatClientSocket = io(`http://${endpoint.host}:${endpoint.port}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
    });
    const client = new SocketIoBenchClient(socket, latencies);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        client.counter.welcomes++;
        resolve(client);
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  get open(): boolean {
    return this.#open;
  }

  register(nick: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.#open) {
        resolve(false);
        return;
      }
      this.#socket.once('disconnect', () => {
        resolve(false);
      });
      this.#socket.emit('register', nick, (reply) => {
        if (reply.ok) this.counter.oks++;
        else this.counter.errors++;
        resolve(reply.ok);
      });
    });
  }

  sendMessages(text: string, count: number): void {
    if (!this.#open) return;
    for (let i = 0; i < count; i++) this.#socket.emit('msg', text, ignoreAck);
  }

  close(): void {
    this.#socket.close();
  }
}

/** Asking for an ack makes the server answer each message, as chat/1 answers `OK <seq>`; the seq itself is not needed. */
function ignoreAck(): void {}
