/**
 * How a client's commands reach the server: each line checked first (no control or invisible
 * characters, not over `--max-line`), then written on the current connection and put in the
 * `CommandQueue` its reply will settle, or held there until the client is ready.
 */
import { hasUnsafeCharacters, utf8ByteLength } from '../protocol/text.js';
import type { CommandQueue, QueuedCommand } from './command-queue.js';
import { ConnectionLostError, InvalidCommandError, ServerReplyError } from './errors.js';
import type { ClientTransport } from './transport.js';

/** Hands `send` a command whose reply settles the promise: the OK's data parsed, an ERROR as `ServerReplyError`. */
export function awaitReply<T>(
  send: (command: QueuedCommand) => void,
  verb: string,
  line: string,
  parse: (data: string) => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    send({
      verb,
      line,
      expectsReply: true,
      settle: (reply) => {
        if (reply.kind === 'ok') resolve(parse(reply.data));
        else reject(new ServerReplyError(reply.code, reply.text));
      },
      fail: reject,
    });
  });
}

export class CommandSender {
  readonly #queue: CommandQueue;
  readonly #maxLineBytes: number;
  /** The current connection, if any. */
  readonly #connection: () => ClientTransport | undefined;

  constructor(queue: CommandQueue, maxLineBytes: number, connection: () => ClientTransport | undefined) {
    this.#queue = queue;
    this.#maxLineBytes = maxLineBytes;
    this.#connection = connection;
  }

  /**
   * Writes the command now when the client is ready, holds it until then otherwise. Throws when
   * its line may not be sent (`InvalidCommandError`) or the queue is full.
   */
  submit(command: QueuedCommand, ready: boolean): void {
    this.#checkLine(command.line);
    if (ready) this.#send(command);
    else this.#queue.hold(command);
  }

  /** Writes the command on the current connection; without one it fails at once. */
  #send(command: QueuedCommand): void {
    const connection = this.#connection();
    if (connection === undefined || connection.closed) {
      command.fail(new ConnectionLostError(command.verb));
      return;
    }
    command.beforeSend?.();
    this.#queue.sent(command);
    connection.send(command.line);
  }

  /** A command of the client's own (REGISTER, AUTH, HISTORY on a new connection), sent now. */
  ask(verb: string, line: string): Promise<string> {
    return awaitReply(
      (command) => {
        this.#send(command);
      },
      verb,
      line,
      (data) => data,
    );
  }

  /** Sends the commands held while the client was not ready, oldest first. */
  sendWaiting(): void {
    for (const command of this.#queue.takeWaiting()) this.#send(command);
  }

  #checkLine(line: string): void {
    if (hasUnsafeCharacters(line)) {
      throw new InvalidCommandError(
        'BAD_TEXT',
        'text holds control or invisible characters (a newline, an escape, a bidi override…)',
      );
    }
    if (utf8ByteLength(line) > this.#maxLineBytes) {
      throw new InvalidCommandError('TOO_LONG', `line longer than ${this.#maxLineBytes} bytes`);
    }
  }
}
