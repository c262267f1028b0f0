/**
 * Shared pieces of the cluster tests: chat users that record the public stream they see and
 * reconnect the way a real client does, the seqs on disk, and free ports. (What /proc says about
 * processes is in bench/proc-stats.ts, shared with the benchmark.)
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import { LineClient } from './line-client.js';
import { defined } from './defined.js';

const PUBLIC_EVENT = /^(?:MSG|JOIN|LEAVE|ANNOUNCE) (\d+) /;
const WELCOME = /^WELCOME chat\/1 (\d+) (\d+) (\S+)$/;
const POLL_MS = 25;

/** The seq of a public event line (`MSG`, `JOIN`, `LEAVE`, `ANNOUNCE`); undefined for any other line. */
export function seqOf(line: string): number | undefined {
  const match = PUBLIC_EVENT.exec(line);
  return match === null ? undefined : Number(match[1]);
}

export interface Welcome {
  workerId: number;
  lastSeq: number;
  epoch: string;
}

export function parseWelcome(line: string): Welcome {
  const match = WELCOME.exec(line);
  if (match === null) throw new Error(`not a WELCOME line: ${JSON.stringify(line)}`);
  const [, workerId, lastSeq, epoch = ''] = match;
  return { workerId: Number(workerId), lastSeq: Number(lastSeq), epoch };
}

/** The seqs of the event lines in `<dir>/history.jsonl` (after its header line), in file order. */
export function seqsOnDisk(dir: string): number[] {
  const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  return lines.slice(1).map((line) => (JSON.parse(line) as { seq: number }).seq);
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether a new listen on `port` succeeds now. */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = net.createServer();
  const listening = new Promise<boolean>((resolve) => {
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, host, () => {
      resolve(true);
    });
  });
  if (!(await listening)) return false;
  server.close();
  await once(server, 'close');
  return true;
}

/** Opens a connection without waiting for anything; the test's teardown closes it. */
export function openClient(t: ExecutionContext, port: number, host = '127.0.0.1'): LineClient {
  const client = new LineClient(net.connect({ port, host }));
  t.teardown(() => {
    client.close();
  });
  return client;
}

/** Connects until a connection is greeted by `workerId` (the hand-off is round-robin). */
export async function connectToWorker(
  t: ExecutionContext,
  port: number,
  workerId: number,
  attempts = 20,
): Promise<LineClient> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const client = openClient(t, port);
    const welcome = parseWelcome(await client.next());
    if (welcome.workerId === workerId) return client;
    client.close();
  }
  throw new Error(`no connection reached worker ${workerId} in ${attempts} attempts`);
}

/**
 * A registered chat user. Every public event any of its connections received is kept in
 * `stream` by seq, so after reconnects the test can check the user holds a gap-free stream.
 */
export class ChatUser {
  readonly nick: string;
  /** seq → the event line, from every connection this user has had. */
  readonly stream = new Map<number, string>();
  /** The reason of every `BYE` this user was sent. */
  readonly byes: string[] = [];
  client: LineClient;
  welcome: Welcome;
  reconnects = 0;
  readonly #t: ExecutionContext;
  readonly #port: number;
  #scanned = 0;

  private constructor(t: ExecutionContext, port: number, nick: string, client: LineClient, welcome: Welcome) {
    this.#t = t;
    this.#port = port;
    this.nick = nick;
    this.client = client;
    this.welcome = welcome;
  }

  /** Connects and registers `nick`. */
  static async join(t: ExecutionContext, port: number, nick: string): Promise<ChatUser> {
    const client = openClient(t, port);
    await client.next();
    return ChatUser.register(t, port, client, nick);
  }

  /** Registers `nick` on a connection that has been greeted (its first line is the WELCOME). */
  static async register(t: ExecutionContext, port: number, client: LineClient, nick: string): Promise<ChatUser> {
    const user = new ChatUser(t, port, nick, client, parseWelcome(client.lines[0] ?? ''));
    const reply = await client.command(`REGISTER ${nick}`);
    if (reply !== `OK ${nick}`) throw new Error(`REGISTER ${nick}: ${reply}`);
    return user;
  }

  /** Takes in the lines received so far; a seq seen twice must carry the same line. */
  record(): void {
    const lines = this.client.lines;
    for (const line of lines.slice(this.#scanned)) {
      if (line.startsWith('BYE ')) this.byes.push(line.slice(4));
      const seq = seqOf(line);
      if (seq !== undefined) {
        const known = this.stream.get(seq);
        if (known !== undefined && known !== line)
          throw new Error(`${this.nick}: seq ${seq} seen as ${JSON.stringify(known)} and ${JSON.stringify(line)}`);
        this.stream.set(seq, line);
      }
      this.#scanned++;
    }
  }

  /** The highest seq received. */
  get lastSeq(): number {
    this.record();
    let last = 0;
    for (const seq of this.stream.keys()) last = Math.max(last, seq);
    return last;
  }

  get firstSeq(): number {
    this.record();
    return Math.min(...this.stream.keys());
  }

  /** Sends a public message; resolves with its seq. Rejects if the connection is lost. */
  async say(text: string, timeoutMs?: number): Promise<number> {
    const reply = await this.client.command(`MSG ${text}`, timeoutMs);
    const match = /^OK (\d+)$/.exec(reply);
    if (match === null) throw new Error(`${this.nick}: MSG answered ${reply}`);
    return Number(match[1]);
  }

  /** Says `text`; a connection dropped on the way is reconnected and the line said again. */
  async sayAcrossDrops(text: string): Promise<number> {
    for (;;) {
      try {
        return await this.say(text);
      } catch (error) {
        if (!this.client.closed) throw error;
        await this.reconnect();
      }
    }
  }

  /**
   * What a client does when it loses its connection: connect again, register the same nick
   * (taken until the hub has noticed the old connection is gone), and fill the gap with
   * `HISTORY SINCE <last seq seen>`.
   */
  async reconnect(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const since = this.lastSeq;
    this.client.close();
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${this.nick}: could not reconnect in ${timeoutMs} ms`);
      if (await this.#tryReconnect(since, deadline)) {
        this.reconnects++;
        return;
      }
    }
  }

  async #tryReconnect(since: number, deadline: number): Promise<boolean> {
    const client = openClient(this.#t, this.#port);
    try {
      const welcome = parseWelcome(await client.next());
      for (;;) {
        const reply = await client.command(`REGISTER ${this.nick}`);
        if (reply === `OK ${this.nick}`) break;
        if (!reply.startsWith('ERROR NICK_TAKEN ')) throw new Error(`${this.nick}: REGISTER answered ${reply}`);
        if (Date.now() > deadline) throw new Error(`${this.nick}: nick still taken at the deadline`);
        await delay(POLL_MS);
      }
      // Everything from here on is this connection's: what the old one left unread is recorded.
      this.record();
      this.client = client;
      this.welcome = welcome;
      this.#scanned = 0;
      const reply = await client.command(`HISTORY SINCE ${since}`);
      if (!reply.startsWith('OK ')) throw new Error(`${this.nick}: HISTORY SINCE answered ${reply}`);
      return true;
    } catch (error) {
      // A connection that is closed under us (its worker died or drains) is retried; anything else is a failure.
      if (!client.closed) throw error;
      client.close();
      return false;
    }
  }

  /** The seqs missing between `from` and `to`, both included. */
  missing(from: number, to: number): number[] {
    this.record();
    const gaps: number[] = [];
    for (let seq = from; seq <= to; seq++) if (!this.stream.has(seq)) gaps.push(seq);
    return gaps;
  }
}

/**
 * Checks that every user holds the same gap-free stream from the newest of their first seqs up
 * to `last`; returns a description of each difference (none when all agree).
 */
export function compareStreams(users: readonly ChatUser[], last: number): string[] {
  const from = Math.max(...users.map((user) => user.firstSeq));
  const reference = defined(users[0], 'a user to compare with');
  const problems: string[] = [];
  for (const user of users) {
    const gaps = user.missing(user.firstSeq, last);
    if (gaps.length > 0) problems.push(`${user.nick} misses ${gaps.length} seqs, first ${gaps.slice(0, 5).join(' ')}`);
    for (let seq = from; seq <= last; seq++) {
      const line = user.stream.get(seq);
      if (line !== undefined && line !== reference.stream.get(seq)) {
        problems.push(
          `${user.nick} has seq ${seq} as ${JSON.stringify(line)}, ${reference.nick} as ${JSON.stringify(reference.stream.get(seq))}`,
        );
        break;
      }
    }
  }
  return problems;
}
