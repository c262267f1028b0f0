/**
 * One client connection: its lifecycle (registration timeout, keepalive, closing with a grace)
 * and its output. Received lines go through `LineIntake` (backpressure) to `CommandRunner`
 * (commands); commands that touch cluster-wide state go to the hub through the bus, and their
 * answers come back as deliveries. Nothing a client sends can throw out of here.
 *
 * A client that has failed to take more than `maxQueue` (`OutputQueue.behind`: output it did not
 * ask for, public events and DMs, can get there) is a slow consumer: its queued output is dropped,
 * it gets `BYE slow consumer`, and the connection ends after a grace.
 */
import type { WorkerBus } from '../bus/bus.js';
import { LineSplitter } from '../protocol/line-splitter.js';
import { formatBye, formatPing } from '../protocol/wire.js';
import type { HistoryRing } from '../hub/history-ring.js';
import { CommandRunner } from './command-runner.js';
import { Keepalive } from './keepalive.js';
import { LineIntake } from './line-intake.js';
import { checkSessionLimits, type SessionLimits } from './limits.js';
import { OutputQueue } from './output-queue.js';
import { ReplyQueue } from './reply-queue.js';
import type { Transport } from './transport.js';

/** How long a closing connection may go without taking any of its last lines before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
/**
 * The same for a slow consumer, whose last lines sit behind the kernel's buffers (megabytes on
 * loopback), where we cannot see them being taken.
 */
const SLOW_CONSUMER_GRACE_MS = 10_000;

export class Session {
  readonly conn: number;
  readonly #transport: Transport;
  readonly #bus: WorkerBus;
  readonly #limits: SessionLimits;
  readonly #splitter: LineSplitter;
  readonly #keepalive: Keepalive;
  readonly #replies: ReplyQueue;
  readonly #output: OutputQueue;
  readonly #intake: LineIntake;
  readonly #commands: CommandRunner;
  /** Events for this connection that arrived while a HISTORY reply was being written. */
  #heldEvents: Array<string | Uint8Array> = [];
  #heldEventBytes = 0;
  /** Set once the session stops taking commands; the LEAVE reason if the hub must be told. */
  #closing: string | undefined;
  /** The transport is ending: what is queued goes out, then it closes. */
  #ending = false;
  #closed = false;
  /** Set once the hub has been told the connection is gone (at the close, or at a slow consumer's cut). */
  #hubTold = false;
  /** Closes a connection that does not register in time, whether it answers PING or not. */
  #registerTimer: NodeJS.Timeout | undefined;

  constructor(conn: number, transport: Transport, bus: WorkerBus, limits: SessionLimits, history: HistoryRing) {
    this.conn = conn;
    this.#transport = transport;
    this.#bus = bus;
    this.#limits = checkSessionLimits(limits);
    this.#output = new OutputQueue(transport, () => {
      this.#goOn();
    });
    this.#replies = new ReplyQueue(
      (text) => {
        this.#write(text);
      },
      () => this.#closing === undefined && this.#output.unsent <= this.#limits.softQueue,
    );
    this.#commands = new CommandRunner(conn, bus, this.#replies, history, this.#limits, {
      quit: () => {
        this.#intake.quit();
      },
      historyWritten: () => {
        this.#releaseEvents();
      },
    });
    const backlog = { output: this.#output, replies: this.#replies, softQueue: this.#limits.softQueue };
    this.#intake = new LineIntake(transport, backlog, {
      run: (line) => {
        this.#commands.run(line);
      },
      inputFinished: () => {
        this.#replies.afterAll(() => {
          this.#close('disconnected');
        });
      },
    });
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
    if (this.#intake.open) this.#splitter.push(chunk);
  }

  /**
   * The client closed its sending side (`nc -q`, a script's end of input): it still gets the
   * answers to everything it sent, then the connection closes.
   */
  endOfInput(): void {
    this.#intake.endOfInput();
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
    this.#commands.enrol();
    this.#stopRegisterTimer();
  }

  /**
   * The hub has already forgotten this user: close without telling it again. Without a BYE (after
   * QUIT) the replies still owed are written first.
   */
  drop(bye: string): void {
    this.#commands.unenrol();
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
    this.#commands.unenrol();
    this.#intake.stop();
    this.#heldEvents = [];
    this.#output.drop();
    this.#tellHub(reason);
    return reason;
  }

  /** Tells the hub the connection is gone: its user leaves, its nick is free. Once. */
  #tellHub(reason: string): void {
    if (this.#hubTold) return;
    this.#hubTold = true;
    this.#bus.request({ type: 'close', conn: this.conn, reason });
  }

  /**
   * Ends the connection once its queued output is out. It is destroyed once a grace passes in
   * which the peer took none of what is left, or when nothing is left and the peer still has not
   * closed its side; a peer that is reading gets everything, its BYE last.
   */
  #close(leaveReason: string, grace = CLOSE_GRACE_MS): void {
    if (this.#closing === undefined) this.#closing = leaveReason;
    this.#intake.stop();
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
   * grace. For everyone else it is gone at once (its LEAVE, its nick free): only the socket
   * lingers, for the BYE.
   */
  #slowConsumer(): void {
    this.#heldEvents = [];
    this.#heldEventBytes = 0;
    this.#output.abandon(formatBye('slow consumer'));
    this.#close('slow consumer', SLOW_CONSUMER_GRACE_MS);
    this.#commands.unenrol();
    this.#tellHub('slow consumer');
  }

  /** A line from the splitter; any line is activity, whether it runs now or later. */
  #take(line: Buffer | null): void {
    if (!this.#intake.open) return;
    this.#keepalive.activity();
    // An empty line is not a command: no reply, no token of the rate limit, nothing held.
    if (line?.length === 0) return;
    this.#intake.take(line);
  }

  /** The output drained or a reply came: written replies make room for the commands waiting. */
  #goOn(): void {
    this.#replies.pump();
    this.#intake.goOn();
  }
}
