/**
 * One client connection: framing, limits, keepalive and command handling. Commands that touch
 * cluster-wide state go to the hub through the bus; their answers come back as deliveries.
 * Nothing a client sends can throw out of here: every bad input becomes one `ERROR` reply.
 *
 * Backpressure, as InspIRCd's soft sendq and `ws` do it: while the connection's unsent output
 * (`OutputQueue.unsent`) is above `softQueue`, or too many of its replies are outstanding, its
 * commands wait: lines already received are held, in order, and the transport stops reading.
 * They run again when the output drains or the replies come. So what a client asks for costs at
 * most about `softQueue` of memory, however much it asks. A client that has failed to take more
 * than `maxQueue` (`OutputQueue.behind`: output it did not ask for, public events and DMs, can
 * get there) is a slow consumer: its queued output is dropped, it gets `BYE slow consumer`, and
 * the connection ends after a grace.
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
import type { HistoryRing } from '../hub/history-ring.js';
import { HistoryReply } from './history-reply.js';
import { OutputQueue } from './output-queue.js';
import { ReplyQueue } from './reply-queue.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import type { Transport } from './transport.js';

/** Run no more commands of a client that is this many replies ahead of us; read again below the second. */
const PAUSE_AT_PENDING = 256;
const RESUME_AT_PENDING = 64;
/** How long a closing connection may go without taking any of its last lines before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
/**
 * The same for a slow consumer, whose last lines sit behind the kernel's buffers (megabytes on
 * loopback), where we cannot see them being taken.
 */
const SLOW_CONSUMER_GRACE_MS = 10_000;
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
  readonly #output: OutputQueue;
  /** This worker's recent public events, which HISTORY replays. */
  readonly #history: HistoryRing;
  /** Events for this connection that arrived while a HISTORY reply was being written. */
  #heldEvents: Array<string | Uint8Array> = [];
  #heldEventBytes = 0;
  /** Lines received while commands wait, in order (null: a line that was too long). */
  #held: Array<Buffer | null> = [];
  #registered = false;
  #registering = 0;
  /** Set once the hub has said OK to an AUTH. */
  #operator = false;
  #authenticating = 0;
  #paused = false;
  /** The client closed its sending side; acted on once the lines held are run. */
  #inputEnded = false;
  /** No more lines are read: the client sent QUIT, or closed its sending side. */
  #inputDone = false;
  /** Set once the session stops taking commands; the LEAVE reason if the hub must be told. */
  #closing: string | undefined;
  /** The transport is ending: what is queued goes out, then it closes. */
  #ending = false;
  #closed = false;
  /** Closes a connection that does not register in time, whether it answers PING or not. */
  #registerTimer: NodeJS.Timeout | undefined;

  constructor(conn: number, transport: Transport, bus: WorkerBus, limits: SessionLimits, history: HistoryRing) {
    this.conn = conn;
    this.#transport = transport;
    this.#bus = bus;
    this.#limits = checkSessionLimits(limits);
    this.#history = history;
    this.#output = new OutputQueue(transport, () => {
      this.#goOn();
    });
    this.#replies = new ReplyQueue(
      (text) => {
        this.#write(text);
      },
      () => this.#closing === undefined && this.#output.unsent <= this.#limits.softQueue,
    );
    this.#bucket = new TokenBucket(limits.rateLimit, limits.rateBurst);
    this.#splitter = new LineSplitter(limits.maxLine, {
      line: (bytes) => {
        this.#take(bytes);
      },
      tooLong: () => {
        this.#take(null);
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
    this.#inputEnded = true;
    this.#finishInput();
  }

  /**
   * A line for this connection alone (a DM), or public events once registered. While a HISTORY
   * reply is being written they wait, in order, and follow its `OK <count>`: a chat/1 client sees
   * the replayed events, then the OK, then what happened meanwhile, all in seq order.
   */
  deliver(data: string | Uint8Array): void {
    if (this.#closing !== undefined) return;
    if (!this.#replies.streaming) {
      this.#write(data);
      return;
    }
    this.#heldEvents.push(data);
    this.#heldEventBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#checkBehind();
  }

  /** The hub's answer to this connection's oldest outstanding request. */
  reply(text: string): void {
    if (this.#closed) return;
    this.#replies.answer(text);
    this.#goOn();
  }

  enrol(): void {
    this.#registered = true;
    this.#stopRegisterTimer();
  }

  /**
   * The hub has already forgotten this user: close without telling it again. Without a BYE (after
   * QUIT) the replies still owed are written first.
   */
  drop(bye: string): void {
    this.#registered = false;
    if (bye === '') {
      this.#replies.afterAll(() => {
        this.#close('quit');
      });
      return;
    }
    this.#releaseEvents();
    this.#write(formatBye(bye));
    // Only the log reads this reason: the hub has already told everyone.
    this.#close(bye);
  }

  /** Says `BYE <reason>` and closes; `leaveReason` is what other users are told. */
  bye(reason: string, leaveReason: string): void {
    if (this.#closing !== undefined) return;
    this.#releaseEvents();
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
    this.#held = [];
    this.#heldEvents = [];
    this.#output.drop();
    this.#bus.request({ type: 'close', conn: this.conn, reason });
    return reason;
  }

  /**
   * Ends the connection once its queued output is out. It is destroyed once a grace passes in
   * which the peer took none of what is left, or when nothing is left and the peer still has not
   * closed its side; a peer that is reading gets everything, its BYE last.
   */
  #close(leaveReason: string, grace = CLOSE_GRACE_MS): void {
    if (this.#closing === undefined) this.#closing = leaveReason;
    this.#held = [];
    this.#keepalive.stop();
    this.#stopRegisterTimer();
    if (this.#ending) return;
    this.#ending = true;
    this.#output.end();
    let left = this.#output.unsent;
    const watch = () => {
      if (this.#closed) return;
      const now = this.#output.unsent;
      if (now === 0 || now >= left) {
        this.#transport.destroy();
        return;
      }
      left = now;
      setTimeout(watch, grace).unref();
    };
    setTimeout(watch, grace).unref();
  }

  #stopRegisterTimer(): void {
    clearTimeout(this.#registerTimer);
    this.#registerTimer = undefined;
  }

  #write(data: string | Uint8Array): void {
    if (this.#closed) return;
    this.#output.push(data);
    this.#checkBehind();
  }

  /** What the client failed to take, events held behind a HISTORY reply included, against `maxQueue`. */
  #checkBehind(): void {
    if (this.#output.behind + this.#heldEventBytes > this.#limits.maxQueue && this.#closing === undefined) {
      this.#slowConsumer();
    }
  }

  /** Writes the events held while a HISTORY reply was written. */
  #releaseEvents(): void {
    const events = this.#heldEvents;
    this.#heldEvents = [];
    this.#heldEventBytes = 0;
    for (const data of events) this.#write(data);
  }

  /**
   * Cuts a client that does not take its output. What waits in our queue is dropped and the BYE
   * goes right after what the transport holds already: the client sees it if it reads within the
   * grace.
   */
  #slowConsumer(): void {
    this.#heldEvents = [];
    this.#heldEventBytes = 0;
    this.#output.abandon(formatBye('slow consumer'));
    this.#close('slow consumer', SLOW_CONSUMER_GRACE_MS);
  }

  /** Whether commands must wait: too much unsent output, or too many replies outstanding. */
  #mustWait(): boolean {
    return this.#output.unsent > this.#limits.softQueue || this.#replies.length >= PAUSE_AT_PENDING;
  }

  /** A line from the splitter: run now, or held behind the ones waiting already. */
  #take(line: Buffer | null): void {
    if (this.#closing !== undefined || this.#inputDone) return;
    // Any line is activity, whether it runs now or later.
    this.#keepalive.activity();
    if (this.#held.length === 0 && !this.#mustWait()) {
      this.#runLine(line);
      if (this.#mustWait()) this.#pause();
      return;
    }
    // The socket may reuse a chunk's memory once its callback returns.
    this.#held.push(line === null ? null : Buffer.from(line));
    this.#pause();
  }

  /** Runs the lines held while commands may go on; reads again once none is left. */
  #goOn(): void {
    this.#replies.pump();
    while (this.#held.length > 0 && !this.#mustWait()) {
      // QUIT or a close among them: what follows is not read.
      if (this.#closing !== undefined || this.#inputDone) this.#held = [];
      else this.#runLine(this.#held.shift() ?? null);
    }
    if (this.#held.length > 0 || !this.#paused) return;
    if (this.#output.unsent <= this.#limits.softQueue && this.#replies.length <= RESUME_AT_PENDING) {
      this.#paused = false;
      this.#transport.resume();
    }
    this.#finishInput();
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#transport.pause();
  }

  /** After the end of input and the last held line: answer what was asked, then close. */
  #finishInput(): void {
    if (!this.#inputEnded || this.#inputDone || this.#held.length > 0) return;
    this.#inputDone = true;
    this.#replies.afterAll(() => {
      this.#close('disconnected');
    });
  }

  #runLine(line: Buffer | null): void {
    if (line === null) this.#tooLong();
    else this.#line(line);
  }

  #tooLong(): void {
    if (this.#admit()) this.#error('TOO_LONG', `line longer than ${this.#limits.maxLine} bytes`);
  }

  #line(bytes: Buffer): void {
    const decoded = decodeLine(bytes);
    if (decoded.ok && PONG.test(decoded.text)) return;
    if (!this.#admit()) return;
    if (!decoded.ok) {
      this.#error(decoded.code);
      return;
    }
    if (decoded.text.trim() === '') return;
    this.#command(decoded.text);
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

  /** The hub's commands in the order the hub takes them (`Hub.#dispatch`), then the ones answered here. */
  #run(command: Command): void {
    const conn = this.conn;
    switch (command.verb) {
      case 'REGISTER':
        this.#registering++;
        this.#replies.awaitHub(() => this.#registering--);
        this.#bus.request({ type: 'register', conn, nick: command.nick });
        return;
      case 'AUTH':
        this.#auth(command.token);
        return;
      case 'USERS':
        this.#ask({ type: 'users', conn });
        return;
      case 'MSG':
        this.#ask({ type: 'msg', conn, text: command.text });
        return;
      case 'ANNOUNCE':
        this.#ask({ type: 'announce', conn, text: command.text });
        return;
      case 'DM':
        this.#ask({ type: 'dm', conn, nick: command.nick, text: command.text });
        return;
      case 'KICK':
        this.#ask({ type: 'kick', conn, nick: command.nick, reason: command.reason });
        return;
      case 'NICK':
        this.#ask({ type: 'nick', conn, nick: command.nick });
        return;
      case 'QUIT':
        // Nothing after QUIT is read; events still arrive until the hub's answer closes us.
        this.#inputDone = true;
        this.#ask({ type: 'quit', conn, reason: command.reason });
        return;
      case 'HISTORY': {
        const request = 'last' in command ? { last: command.last } : { since: command.since };
        this.#replies.stream(new HistoryReply(this.#history, request), () => {
          this.#releaseEvents();
        });
        return;
      }
      case 'PING':
        this.#replies.local(formatOk(command.token));
        return;
      case 'HELP':
        this.#replies.local(HELP_TEXT);
        return;
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
