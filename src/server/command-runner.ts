/**
 * Runs the lines one client sends, one at a time: the rate limit, decoding, the registration and
 * operator gates, then a request to the hub or an answer given here. Every bad line becomes one
 * `ERROR` reply, in its place among the replies.
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
import { decodeLine } from '../protocol/decode-line.js';
import { formatError, formatOk } from '../protocol/wire.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import type { HistoryRing } from '../hub/history-ring.js';
import { HistoryReply } from './history-reply.js';
import type { SessionLimits } from './limits.js';
import type { ReplyQueue } from './reply-queue.js';

const HELP_TEXT = formatOk(VERBS.join(' '));
const PONG = /^\s*pong(?: |$)/i;

/** What the session does when a command ends its input or a HISTORY reply is written. */
interface RunnerHooks {
  /** QUIT: nothing after it is read; events still arrive until the hub's answer closes us. */
  quit(): void;
  /** A HISTORY reply is written: the events held behind it may follow. */
  historyWritten(): void;
}

export class CommandRunner {
  readonly #conn: number;
  readonly #bus: WorkerBus;
  readonly #replies: ReplyQueue;
  /** This worker's recent public events, which HISTORY replays. */
  readonly #history: HistoryRing;
  readonly #limits: SessionLimits;
  readonly #bucket: TokenBucket;
  readonly #hooks: RunnerHooks;
  #registered = false;
  #registering = 0;
  /** Set once the hub has said OK to an AUTH. */
  #operator = false;
  #authenticating = 0;

  constructor(
    conn: number,
    bus: WorkerBus,
    replies: ReplyQueue,
    history: HistoryRing,
    limits: SessionLimits,
    hooks: RunnerHooks,
  ) {
    this.#conn = conn;
    this.#bus = bus;
    this.#replies = replies;
    this.#history = history;
    this.#limits = limits;
    this.#bucket = new TokenBucket(limits.rateLimit, limits.rateBurst);
    this.#hooks = hooks;
  }

  /** The hub has registered this connection. */
  enrol(): void {
    this.#registered = true;
  }

  /** The hub has forgotten this user, or the connection is gone. */
  unenrol(): void {
    this.#registered = false;
  }

  /** Runs one line (null: a line that was too long). */
  run(line: Buffer | null): void {
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
    // While an AUTH or a REGISTER is with the hub, the hub judges what follows it: it checks
    // registration before operator rights, so a REGISTER that fails makes it NOT_REGISTERED.
    if (
      NEEDS_OPERATOR.has(verb as Command['verb']) &&
      !this.#operator &&
      this.#authenticating === 0 &&
      this.#registering === 0
    ) {
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
    const conn = this.#conn;
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
        this.#hooks.quit();
        this.#ask({ type: 'quit', conn, reason: command.reason });
        return;
      case 'HISTORY': {
        const request = 'last' in command ? { last: command.last } : { since: command.since };
        this.#replies.stream(new HistoryReply(this.#history, request), () => {
          this.#hooks.historyWritten();
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
    this.#bus.request({ type: 'auth', conn: this.#conn, token });
  }

  #error(code: ErrorCode, text?: string): void {
    this.#replies.local(formatError(code, text));
  }
}
