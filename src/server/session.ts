/**
 * One client connection: framing, limits, keepalive and command handling. Commands that touch
 * cluster-wide state go to the hub through the bus; their answers come back as deliveries.
 * Nothing a client sends can throw out of here: every bad input becomes one `ERROR` reply.
 */
import type { WorkerBus } from '../bus/bus.js';
import {
  NEEDS_OPERATOR,
  NEEDS_REGISTRATION,
  parseCommand,
  splitVerb,
  VERBS,
  type Command,
} from '../protocol/command.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { LineSplitter } from '../protocol/line-splitter.js';
import { decodeLine } from '../protocol/decode-line.js';
import { formatBye, formatError, formatOk, formatPing } from '../protocol/wire.js';
import { Keepalive } from './keepalive.js';
import { checkSessionLimits, type SessionLimits } from './limits.js';
import { ReplyQueue } from './reply-queue.js';
import { TokenBucket } from '../protocol/token-bucket.js';

/** What a session needs of its socket; `net.Socket` has it all. */
export interface Transport {
  write(data: string | Uint8Array): boolean;
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  readonly writableLength: number;
}

/** Stop reading from a client that is this many replies ahead of us. */
const PAUSE_AT_PENDING = 256;
const RESUME_AT_PENDING = 64;
/** How long a closing connection may take to flush its last lines. */
const CLOSE_GRACE_MS = 2_000;
const HELP_TEXT = formatOk(VERBS.join(' '));
const PONG = /^\s*pong(?: |$)/i;

export class Session {
  readonly conn: number;
  readonly #transport: Transport;
  readonly #bus: WorkerBus;
  readonly #limits: SessionLimits;
  readonly #splitter: LineSplitter;
  readonly #bucket: TokenBucket;
  readonly #keepalive: Keepalive;
  readonly #replies: ReplyQueue;
  #registered = false;
  #registering = 0;
  /** Set once the hub has said OK to an AUTH. */
  #operator = false;
  #authenticating = 0;
  #paused = false;
  /** No more lines are read: the client sent QUIT, or closed its sending side. */
  #inputDone = false;
  /** Set once the session stops taking commands; the LEAVE reason if the hub must be told. */
  #closing: string | undefined;
  #closed = false;
  /** Closes a connection that does not register in time, whether it answers PING or not. */
  #registerTimer: NodeJS.Timeout | undefined;

  constructor(conn: number, transport: Transport, bus: WorkerBus, limits: SessionLimits) {
    this.conn = conn;
    this.#transport = transport;
    this.#bus = bus;
    this.#limits = checkSessionLimits(limits);
    this.#replies = new ReplyQueue((text) => {
      this.#write(text);
    });
    this.#bucket = new TokenBucket(limits.rateLimit, limits.rateBurst);
    this.#splitter = new LineSplitter(limits.maxLine, {
      line: (bytes) => {
        this.#line(bytes);
      },
      tooLong: () => {
        this.#tooLong();
      },
    });
    this.#keepalive = new Keepalive(limits.pingInterval, limits.pingTimeout, {
      ping: () => {
        this.#write(formatPing(Date.now().toString(36)));
      },
      timeout: () => {
        this.bye('ping timeout', 'timeout');
      },
    });
    this.#registerTimer = setTimeout(() => {
      this.bye('registration timeout', 'disconnected');
    }, limits.registerTimeout);
    this.#registerTimer.unref();
  }

  /** Bytes from the socket. */
  receive(chunk: Buffer): void {
    if (this.#closing === undefined && !this.#inputDone) this.#splitter.push(chunk);
  }

  /**
   * The client closed its sending side (`nc -q`, a script's end of input): it still gets the
   * answers to everything it sent, then the connection closes.
   */
  endOfInput(): void {
    if (this.#inputDone) return;
    this.#inputDone = true;
    this.#replies.afterAll(() => {
      this.#close('disconnected');
    });
  }

  /** A line for this connection alone (a DM), or public events once registered. */
  deliver(data: string | Uint8Array): void {
    if (this.#closing === undefined) this.#write(data);
  }

  /** The hub's answer to this connection's oldest outstanding request. */
  reply(text: string): void {
    if (this.#closed) return;
    this.#replies.answer(text);
    if (this.#paused && this.#replies.length <= RESUME_AT_PENDING) {
      this.#paused = false;
      this.#transport.resume();
    }
  }

  enrol(): void {
    this.#registered = true;
    this.#stopRegisterTimer();
  }

  /** The hub has already forgotten this user: close without telling it again. */
  drop(bye: string): void {
    this.#registered = false;
    if (bye !== '') this.#write(formatBye(bye));
    // Only the log reads this reason: the hub has already told everyone.
    this.#close(bye === '' ? 'quit' : bye);
  }

  /** Says `BYE <reason>` and closes; `leaveReason` is what other users are told. */
  bye(reason: string, leaveReason: string): void {
    if (this.#closing !== undefined) return;
    this.#write(formatBye(reason));
    this.#close(leaveReason);
  }

  /** The socket is gone, whatever the cause. Tells the hub exactly once; returns the reason. */
  closed(): string {
    const reason = this.#closing || 'disconnected';
    if (this.#closed) return reason;
    this.#closed = true;
    this.#keepalive.stop();
    this.#stopRegisterTimer();
    this.#registered = false;
    this.#bus.request({ type: 'close', conn: this.conn, reason });
    return reason;
  }

  #close(leaveReason: string): void {
    if (this.#closing === undefined) this.#closing = leaveReason;
    this.#keepalive.stop();
    this.#stopRegisterTimer();
    this.#transport.end();
    setTimeout(() => {
      this.#transport.destroy();
    }, CLOSE_GRACE_MS).unref();
  }

  #stopRegisterTimer(): void {
    clearTimeout(this.#registerTimer);
    this.#registerTimer = undefined;
  }

  #write(data: string | Uint8Array): void {
    if (this.#closed) return;
    this.#transport.write(data);
    if (this.#transport.writableLength > this.#limits.maxQueue && this.#closing === undefined) {
      this.#closing = 'slow consumer';
      this.#transport.write(formatBye('slow consumer'));
      this.#keepalive.stop();
      // Its buffer is full: it would not read a graceful goodbye anyway.
      this.#transport.destroy();
    }
  }

  #tooLong(): void {
    this.#keepalive.activity();
    if (this.#admit()) this.#error('TOO_LONG', `line longer than ${this.#limits.maxLine} bytes`);
  }

  #line(bytes: Buffer): void {
    if (this.#closing !== undefined || this.#inputDone) return;
    this.#keepalive.activity();
    const decoded = decodeLine(bytes);
    if (decoded.ok && PONG.test(decoded.text)) return;
    if (!this.#admit()) return;
    if (!decoded.ok) {
      this.#error(decoded.code);
      return;
    }
    if (decoded.text.trim() === '') return;
    this.#command(decoded.text);
    if (!this.#paused && this.#replies.length >= PAUSE_AT_PENDING) {
      this.#paused = true;
      this.#transport.pause();
    }
  }

  /** The rate limit; answers RATE_LIMITED itself when the bucket is empty. */
  #admit(): boolean {
    if (this.#bucket.take()) return true;
    this.#error('RATE_LIMITED', `more than ${this.#limits.rateLimit} lines/s, slow down`);
    return false;
  }

  #command(line: string): void {
    const verb = splitVerb(line).verb;
    if (NEEDS_REGISTRATION.has(verb as Command['verb']) && !this.#registered && this.#registering === 0) {
      this.#error('NOT_REGISTERED');
      return;
    }
    // While an AUTH is with the hub, the hub judges what follows it (as for REGISTER above).
    if (NEEDS_OPERATOR.has(verb as Command['verb']) && !this.#operator && this.#authenticating === 0) {
      this.#error('FORBIDDEN');
      return;
    }
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      this.#error(parsed.error.code, parsed.error.text);
      return;
    }
    this.#run(parsed.command);
  }

  #run(command: Command): void {
    const conn = this.conn;
    switch (command.verb) {
      case 'REGISTER':
        this.#registering++;
        this.#replies.awaitHub(() => this.#registering--);
        {
          this.#bus.request({ type: 'register', conn, nick: command.nick });
          return;
        }
      case 'NICK': {
        this.#ask({ type: 'nick', conn, nick: command.nick });
        return;
      }
      case 'MSG': {
        this.#ask({ type: 'msg', conn, text: command.text });
        return;
      }
      case 'DM': {
        this.#ask({ type: 'dm', conn, nick: command.nick, text: command.text });
        return;
      }
      case 'USERS': {
        this.#ask({ type: 'users', conn });
        return;
      }
      case 'HISTORY': {
        this.#ask(
          'last' in command
            ? { type: 'history', conn, last: command.last }
            : { type: 'history-since', conn, seq: command.since },
        );
        return;
      }
      case 'ANNOUNCE': {
        this.#ask({ type: 'announce', conn, text: command.text });
        return;
      }
      case 'KICK': {
        this.#ask({ type: 'kick', conn, nick: command.nick, reason: command.reason });
        return;
      }
      case 'QUIT':
        // Nothing after QUIT is read; events still arrive until the hub's answer closes us.
        this.#inputDone = true;
        {
          this.#ask({ type: 'quit', conn, reason: command.reason });
          return;
        }
      case 'PING': {
        this.#replies.local(formatOk(command.token));
        return;
      }
      case 'HELP': {
        this.#replies.local(HELP_TEXT);
        return;
      }
      case 'AUTH': {
        this.#auth(command.token);
        return;
      }
      case 'PONG':
        return;
    }
  }

  #ask(request: Parameters<WorkerBus['request']>[0]): void {
    this.#replies.awaitHub();
    this.#bus.request(request);
  }

  /** The hub decides AUTH: it counts failures per address, across connections and workers. */
  #auth(token: string): void {
    this.#authenticating++;
    this.#replies.awaitHub((reply) => {
      this.#authenticating--;
      if (reply === formatOk()) this.#operator = true;
    });
    this.#bus.request({ type: 'auth', conn: this.conn, token });
  }

  #error(code: ErrorCode, text?: string): void {
    this.#replies.local(formatError(code, text));
  }
}
