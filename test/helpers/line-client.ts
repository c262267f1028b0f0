/**
 * A bare chat/1 connection for tests: send raw lines or bytes, await lines as they come.
 * It deliberately knows nothing of the protocol beyond "lines", so tests see exactly the wire.
 */
import net from 'node:net';
import type { ExecutionContext } from 'ava';
import type { Owner } from './server.js';

/** Lines as they arrive over any transport, to await one by one; subclasses feed them. */
export abstract class LineReader {
  readonly lines: string[] = [];
  closed = false;
  #read = 0;
  #wake: (() => void) | undefined;

  abstract send(line: string): void;
  abstract close(): void;

  protected received(lines: readonly string[]): void {
    this.lines.push(...lines);
    this.#wake?.();
  }

  protected ended(): void {
    this.closed = true;
    this.#wake?.();
  }

  /** The next unread line; rejects if the connection closes or `timeoutMs` passes first. */
  async next(timeoutMs = 10_000): Promise<string> {
    return this.until(() => true, timeoutMs);
  }

  /** Reads lines until one satisfies `accept`, and returns it (the skipped ones stay in `lines`). */
  async until(accept: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines.slice(this.#read)) {
        this.#read++;
        if (accept(line)) return line;
      }
      if (this.closed) throw new Error(`connection closed; lines so far:\n${this.lines.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; lines so far:\n${this.lines.join('\n')}`);
      await this.#change(left);
    }
  }

  /** Resolves once any line received so far, read or not, satisfies `accept`. */
  async seen(accept: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find(accept);
      if (line !== undefined) return line;
      if (this.closed) throw new Error(`connection closed; lines so far:\n${this.lines.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; lines so far:\n${this.lines.join('\n')}`);
      await this.#change(left);
    }
  }

  /** Sends a command and returns its reply (`OK…` / `ERROR…`), skipping events before it. */
  async command(line: string, timeoutMs?: number): Promise<string> {
    this.send(line);
    return this.until((l) => l === 'OK' || l.startsWith('OK ') || l.startsWith('ERROR '), timeoutMs);
  }

  /** Resolves once the other side has closed the connection. */
  async closedByPeer(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('connection still open');
      await this.#change(left);
    }
  }

  /** Resolves when a line arrives, the connection closes, or `ms` passes. */
  async #change(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}

export class LineClient extends LineReader {
  readonly socket: net.Socket;
  #partial = '';

  constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      // split() returns at least one part: the unfinished line, possibly empty.
      this.#partial = parts.pop() ?? '';
      this.received(parts);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended();
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Connects and waits for the WELCOME line; the test's teardown closes the socket. `localAddress`
 * picks the source address (127.0.0.2 is a second client address on loopback).
 */
export async function connect(
  t: Owner,
  port: number,
  host = '127.0.0.1',
  localAddress?: string,
): Promise<{ client: LineClient; welcome: string }> {
  const socket = net.connect({ port, host, localAddress });
  const client = new LineClient(socket);
  t.teardown(() => {
    client.close();
  });
  const welcome = await client.next();
  return { client, welcome };
}

/** A registered connection: the client, its WELCOME line and the id of the worker serving it. */
export interface Registered<Client extends LineReader> {
  client: Client;
  welcome: string;
  workerId: number;
}

/** Registers `nick` on a greeted connection, whatever its transport. */
export async function registerOn<Client extends LineReader>(
  greeted: { client: Client; welcome: string },
  nick: string,
): Promise<Registered<Client>> {
  const { client, welcome } = greeted;
  const reply = await client.command(`REGISTER ${nick}`);
  if (reply !== `OK ${nick}`) throw new Error(`REGISTER ${nick}: ${reply}`);
  return { client, welcome, workerId: Number(welcome.split(' ')[2]) };
}

/** Connects and registers `nick`. */
export async function registered(t: Owner, port: number, nick: string): Promise<Registered<LineClient>> {
  return registerOn(await connect(t, port), nick);
}

/** The public events (MSG, JOIN, LEAVE, ANNOUNCE) among the lines a client has received. */
export function publicEvents(client: LineReader): string[] {
  return client.lines.filter((line) => /^(MSG|JOIN|LEAVE|ANNOUNCE) \d+ /.test(line));
}

/**
 * Connects until the server admits a connection again, once it has seen a client leave: each
 * connection made before that must be refused with `BYE <refusal>`.
 */
export async function connectOnceFreed(t: ExecutionContext, port: number, refusal: string): Promise<void> {
  for (;;) {
    const { client } = await connect(t, port);
    const reply = await client.command('PING').catch(() => 'closed');
    if (reply === 'OK') return;
    t.is(client.lines[1], `BYE ${refusal}`);
  }
}

/**
 * Floods the chat with 1000-byte messages from `talker`, in batches of 500 each ended by a PING
 * whose answer says the batch went through the hub, until `stuck`'s slow-consumer LEAVE is seen
 * (its kernel buffers, then its queue, full); resolves with that LEAVE line.
 */
export async function floodUntilSlowConsumer(talker: LineClient, stuck: string): Promise<string> {
  const text = 'x'.repeat(1000);
  const isLeave = (l: string) => l.startsWith('LEAVE ') && l.endsWith(` ${stuck} slow consumer`);
  for (let batch = 0; batch < 60 && !talker.lines.some(isLeave); batch++) {
    talker.write(`MSG ${text}\n`.repeat(500));
    talker.send(`PING batch${batch}`);
    await talker.until((l) => l === `OK batch${batch}`, 30_000);
  }
  return talker.seen(isLeave);
}
