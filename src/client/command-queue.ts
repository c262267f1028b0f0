/**
 * The commands of one client: those sent and awaiting their reply (replies come in the order the
 * commands were sent, so a FIFO pairs them), and those waiting for a connection.
 */
import { QueueFullError } from './errors.js';

export type Reply = { kind: 'ok'; data: string } | { kind: 'error'; code: string; text: string };

export interface QueuedCommand {
  /** The verb, for error messages. */
  readonly verb: string;
  /** The line to send, without LF. */
  readonly line: string;
  /** Whether a reply is expected (`PONG` has none). */
  readonly expectsReply: boolean;
  /** Called just before the line is written (a `HISTORY` starts holding the public stream then). */
  beforeSend?(): void;
  settle(reply: Reply): void;
  fail(error: Error): void;
}

export class CommandQueue {
  readonly #maxWaiting: number;
  #inFlight: QueuedCommand[] = [];
  #waiting: QueuedCommand[] = [];

  constructor(maxWaiting: number) {
    if (!(Number.isInteger(maxWaiting) && maxWaiting > 0)) throw new RangeError('maxQueued must be a positive integer');
    this.#maxWaiting = maxWaiting;
  }

  get waitingCount(): number {
    return this.#waiting.length;
  }

  /** Keeps a command until there is a connection; throws `QueueFullError` when the queue is full. */
  hold(command: QueuedCommand): void {
    if (this.#waiting.length >= this.#maxWaiting) throw new QueueFullError(this.#maxWaiting);
    this.#waiting.push(command);
  }

  /** Takes every waiting command, oldest first. */
  takeWaiting(): QueuedCommand[] {
    const waiting = this.#waiting;
    this.#waiting = [];
    return waiting;
  }

  /** Records a command just written to the socket. */
  sent(command: QueuedCommand): void {
    if (command.expectsReply) this.#inFlight.push(command);
  }

  /** Hands a reply to the oldest command in flight; false when nothing was waiting for one. */
  reply(reply: Reply): boolean {
    const command = this.#inFlight.shift();
    if (command === undefined) return false;
    command.settle(reply);
    return true;
  }

  /** The connection is gone: every command in flight fails with the error `make` builds for it. */
  failInFlight(make: (command: QueuedCommand) => Error): void {
    const inFlight = this.#inFlight;
    this.#inFlight = [];
    for (const command of inFlight) command.fail(make(command));
  }

  /** The client is closing for good: every waiting command fails. */
  failWaiting(error: Error): void {
    for (const command of this.takeWaiting()) command.fail(error);
  }
}
