/**
 * Backpressure on what one client sends, as InspIRCd's soft sendq and `ws` do it: while the
 * connection's unsent output (`OutputQueue.unsent`) is above `softQueue`, or too many of its
 * replies are outstanding, its commands wait: lines already received are held, in order, and the
 * transport stops reading. They run again when the output drains or the replies come. So what a
 * client asks for costs at most about `softQueue` of memory, however much it asks.
 */
import type { OutputQueue } from './output-queue.js';
import type { ReplyQueue } from './reply-queue.js';
import type { Transport } from './transport.js';

/** Run no more commands of a client that is this many replies ahead of us; read again below the second. */
const PAUSE_AT_PENDING = 256;
const RESUME_AT_PENDING = 64;

/** What the connection owes its client: unsent output and replies outstanding. */
interface Backlog {
  output: Pick<OutputQueue, 'unsent'>;
  replies: Pick<ReplyQueue, 'length'>;
  /** Commands wait while the unsent output is above this many bytes. */
  softQueue: number;
}

interface IntakeHooks {
  /** Runs one line (null: a line that was too long). */
  run(line: Buffer | null): void;
  /** The client closed its sending side and every line it sent has run. */
  inputFinished(): void;
}

export class LineIntake {
  readonly #transport: Pick<Transport, 'pause' | 'resume'>;
  readonly #backlog: Backlog;
  readonly #hooks: IntakeHooks;
  /** Lines received while commands wait, in order (null: a line that was too long). */
  #held: Array<Buffer | null> = [];
  #paused = false;
  /** The session takes no more commands: it is closing. */
  #stopped = false;
  /** The client closed its sending side; acted on once the lines held are run. */
  #inputEnded = false;
  /** No more lines are read: the client sent QUIT, or closed its sending side. */
  #inputDone = false;

  constructor(transport: Pick<Transport, 'pause' | 'resume'>, backlog: Backlog, hooks: IntakeHooks) {
    this.#transport = transport;
    this.#backlog = backlog;
    this.#hooks = hooks;
  }

  /** Whether lines are still taken. */
  get open(): boolean {
    return !this.#stopped && !this.#inputDone;
  }

  /** A line from the splitter: run now, or held behind the ones waiting already. */
  take(line: Buffer | null): void {
    if (!this.open) return;
    if (this.#held.length === 0 && !this.#mustWait()) {
      this.#hooks.run(line);
      if (this.#mustWait()) this.#pause();
      return;
    }
    // The socket may reuse a chunk's memory once its callback returns.
    this.#held.push(line === null ? null : Buffer.from(line));
    this.#pause();
  }

  /** Runs the lines held while commands may go on; reads again once none is left. */
  goOn(): void {
    while (this.#held.length > 0 && !this.#mustWait()) {
      // QUIT or a close among them: what follows is not read.
      if (!this.open) this.#held = [];
      else this.#hooks.run(this.#held.shift() ?? null);
    }
    if (this.#held.length > 0 || !this.#paused) return;
    const { output, replies, softQueue } = this.#backlog;
    if (output.unsent <= softQueue && replies.length <= RESUME_AT_PENDING) {
      this.#paused = false;
      this.#transport.resume();
    }
    this.#finishInput();
  }

  /**
   * The client closed its sending side (`nc -q`, a script's end of input): it still gets the
   * answers to everything it sent, then the connection closes.
   */
  endOfInput(): void {
    this.#inputEnded = true;
    this.#finishInput();
  }

  /** QUIT: nothing after it is read. */
  quit(): void {
    this.#inputDone = true;
  }

  /** The session is closing: the lines held are dropped and no more are taken. */
  stop(): void {
    this.#stopped = true;
    this.#held = [];
  }

  /** Whether commands must wait: too much unsent output, or too many replies outstanding. */
  #mustWait(): boolean {
    const { output, replies, softQueue } = this.#backlog;
    return output.unsent > softQueue || replies.length >= PAUSE_AT_PENDING;
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
    this.#hooks.inputFinished();
  }
}
