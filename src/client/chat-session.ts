/**
 * The life of a chat/1 client: one connection at a time, one promise per command (settled by
 * its reply, in order), and a reconnect that re-registers and fills the gap. `ChatClient` puts the
 * typed commands on top (and documents the queueing policy). The connection comes from the
 * `connector` option (TCP in Node, WebSocket in a browser); nothing here needs Node.
 */
import { ERROR_TEXT } from '../protocol/error-codes.js';
import { isValidNick } from '../protocol/nick.js';
import { parseServerLine, PROTOCOL_NAME, type PublicEvent, type ServerLine } from '../protocol/wire.js';
import { Backoff } from './backoff.js';
import { resolveClientOptions, type ChatClientOptions, type ChatClientSettings } from './client-options.js';
import { CommandQueue, type QueuedCommand } from './command-queue.js';
import { awaitReply, CommandSender } from './command-sender.js';
import {
  ClientClosedError,
  ConnectionLostError,
  describeError,
  InvalidCommandError,
  ServerReplyError,
} from './errors.js';
import { EVENT_OF_TYPE, type ChatClientEvents, type ClientState, type NickChooser, type Welcome } from './events.js';
import { Handshake } from './handshake.js';
import { PublicStream } from './public-stream.js';
import type { ClientTransport } from './transport.js';
import { TypedEmitter } from './typed-emitter.js';
import { Registration } from './registration.js';
import { RetryPolicy } from './retry-policy.js';

type Phase = 'greeting' | 'registering' | 'ready';

export class ChatSession extends TypedEmitter<ChatClientEvents> {
  readonly options: ChatClientOptions;
  readonly #retry: RetryPolicy;
  readonly #queue: CommandQueue;
  readonly #sender: CommandSender;
  readonly #stream: PublicStream;
  #state: ClientState = 'idle';
  #connection: ClientTransport | undefined;
  #phase: Phase = 'greeting';
  #welcome: Welcome | undefined;
  #everConnected = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #byeReason: string | undefined;
  #quitting = false;
  readonly #registration: Registration;
  readonly #handshake: Handshake;
  #firstConnect: { resolve: (welcome: Welcome) => void; reject: (error: Error) => void } | undefined;

  constructor(options: ChatClientSettings) {
    super();
    this.options = resolveClientOptions(options);
    const backoff = new Backoff(this.options.backoff);
    this.#retry = new RetryPolicy(backoff, this.options.retries, this.options.reconnect);
    if (this.options.nick !== undefined && !isValidNick(this.options.nick))
      throw new InvalidCommandError('BAD_NICK', ERROR_TEXT.BAD_NICK);
    this.#registration = new Registration(this.options.nick, backoff, this.options.nickRetries);
    this.#queue = new CommandQueue(this.options.maxQueued);
    this.#sender = new CommandSender(this.#queue, this.options.maxLineBytes, () => this.#connection);
    this.#stream = new PublicStream({
      event: (event) => {
        this.#emitPublic(event);
      },
      gap: (after, missing) => this.emit('gap', { after, missing }),
    });
    this.#handshake = new Handshake(this.#stream, this.#registration, this.options.replayOnNewEpoch);
  }

  get state(): ClientState {
    return this.#state;
  }

  /** The nick registered (or to register); it follows a successful `NICK`. Undefined until chosen. */
  get nick(): string | undefined {
    return this.#registration.nick;
  }

  /** The last `WELCOME`: which worker serves us, in which epoch. */
  get welcome(): Welcome | undefined {
    return this.#welcome;
  }

  /** The seq of the last public event delivered. */
  get lastSeen(): number | undefined {
    return this.#stream.lastSeen;
  }

  get queuedCount(): number {
    return this.#queue.waitingCount;
  }

  /**
   * Connects and registers; rejects with `ConnectFailedError` after `retries` failed attempts, or the
   * server's reply error. With `chooseNick`, the nick is asked for once the server has greeted us
   * (when none was given), and again whenever the first registration is refused (`NICK_TAKEN`,
   * `BAD_NICK`) instead of failing; a chooser that answers undefined ends the client.
   */
  connect(options: { chooseNick?: NickChooser } = {}): Promise<Welcome> {
    if (this.#state !== 'idle') return Promise.reject(new Error('connect() may be called once'));
    this.#registration.chooser = options.chooseNick;
    if (!this.#registration.canStart)
      return Promise.reject(new InvalidCommandError('BAD_NICK', 'no nick, and no chooseNick to ask for one'));
    const connected = new Promise<Welcome>((resolve, reject) => {
      this.#firstConnect = { resolve, reject };
    });
    this.#attempt();
    return connected;
  }

  /** Drops the connection at once, without QUIT; pending commands fail with `ClientClosedError`. */
  close(reason = 'closed'): void {
    this.#finish(reason, undefined);
  }

  /** Sends a command now, or queues it until connected; settles with its reply. */
  protected command<T>(verb: string, line: string, parse: (data: string) => T): Promise<T> {
    return awaitReply(
      (command) => {
        this.submit(command);
      },
      verb,
      line,
      parse,
    );
  }

  /** Sends now when ready, queues otherwise; a command that cannot be accepted fails at once. */
  protected submit(command: QueuedCommand): void {
    try {
      if (this.#state === 'closed') throw new ClientClosedError('the client is closed');
      if (this.#quitting) throw new ClientClosedError('quitting');
      this.#sender.submit(command, this.#state === 'ready');
    } catch (error) {
      command.fail(toError(error));
    }
  }

  /** The public event stream, for commands that hold it (`HISTORY`). */
  protected get publicStream(): PublicStream {
    return this.#stream;
  }

  #attempt(): void {
    this.#state = this.#everConnected ? 'reconnecting' : 'connecting';
    this.#phase = 'greeting';
    this.#byeReason = undefined;
    this.emit('connecting', {
      attempt: this.#retry.nextAttempt,
      attempts: this.options.retries,
      address: this.#address(),
    });
    const connection = this.options.connector.connect(
      {
        line: (text) => {
          this.#onLine(connection, parseServerLine(text));
        },
        closed: (error) => {
          this.#onClosed(connection, error);
        },
      },
      { maxLineBytes: this.options.maxIncomingLineBytes },
    );
    this.#connection = connection;
    const seconds = this.options.greetingTimeoutMs / 1000;
    this.#timer = setTimeout(() => {
      connection.destroy(new Error(`no WELCOME within ${seconds}s`));
    }, this.options.greetingTimeoutMs);
  }

  #onLine(connection: ClientTransport, line: ServerLine): void {
    if (connection !== this.#connection) return;
    switch (line.kind) {
      case 'welcome':
        if (this.#phase === 'greeting') this.#onWelcome(connection, line);
        return;
      case 'ok':
        this.#queue.reply({ kind: 'ok', data: line.data });
        return;
      case 'error':
        this.#queue.reply({ kind: 'error', code: line.code, text: line.text });
        return;
      case 'public':
        this.#stream.accept(line.event);
        return;
      case 'dm':
        this.emit('dm', { time: line.time, from: line.from, text: line.text });
        return;
      case 'ping':
        connection.send(line.token === '' ? 'PONG' : `PONG ${line.token}`);
        return;
      case 'bye':
        this.#byeReason = line.reason;
        this.emit('bye', line.reason);
        return;
      case 'unknown':
        return;
    }
  }

  #onWelcome(connection: ClientTransport, line: Extract<ServerLine, { kind: 'welcome' }>): void {
    clearTimeout(this.#timer);
    if (line.protocol !== PROTOCOL_NAME) {
      connection.destroy(new Error(`server speaks ${line.protocol}, not ${PROTOCOL_NAME}`));
      return;
    }
    const welcome = { workerId: line.workerId, lastSeq: line.lastSeq, epoch: line.epoch };
    this.#welcome = welcome;
    this.#phase = 'registering';
    this.emit('welcome', welcome);
    void this.#handshakeOn(connection, welcome);
  }

  /** Registers, and after a reconnect restores operator rights and replays what was missed. */
  async #handshakeOn(connection: ClientTransport, welcome: Welcome): Promise<void> {
    const reconnected = this.#everConnected;
    if (reconnected) this.#state = 'syncing';
    try {
      await this.#handshake.run(welcome, reconnected, {
        ask: (verb, line) => this.#sender.ask(verb, line),
        isCurrent: () => connection === this.#connection && !connection.closed,
        sleep: (ms) =>
          new Promise<void>((resolve) => {
            this.#timer = setTimeout(resolve, ms);
          }),
        registered: (nick) => {
          this.#everConnected = true;
          this.#retry.succeeded();
          this.emit('connected', { workerId: welcome.workerId, nick, reconnected });
        },
        replayed: (info) => this.emit('replayed', info),
      });
    } catch (error) {
      if (connection !== this.#connection || connection.closed) return;
      this.#finish(
        error instanceof ServerReplyError ? `cannot register as ${this.nick}: ${error.message}` : String(error),
        toError(error),
      );
      return;
    }
    if (connection !== this.#connection || connection.closed) return;
    this.#phase = 'ready';
    this.#state = 'ready';
    this.#firstConnect?.resolve(welcome);
    this.#firstConnect = undefined;
    this.#sender.sendWaiting();
  }

  #onClosed(connection: ClientTransport, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    clearTimeout(this.#timer);
    this.#connection = undefined;
    this.#stream.abandonHolds();
    this.#queue.failInFlight((command) => new ConnectionLostError(command.verb));
    if (this.#state === 'closed') return;
    const reason = this.#byeReason ?? (error === undefined ? 'connection closed by the server' : describeError(error));
    const drop = {
      reason,
      error,
      bye: this.#byeReason,
      quitDone: this.#quitting && this.#queue.waitingCount === 0,
      nickAnswer: this.#registration.pendingAnswer,
      wasReady: this.#phase === 'ready',
    };
    const step = this.#retry.afterDrop(drop, this.#address(), (willReconnect) => {
      this.emit('disconnected', { reason, willReconnect });
    });
    if (step.next === 'end') this.#finish(step.reason, step.error);
    else if (step.next === 'await-nick') this.#awaitAnswer(step.answer);
    else this.#scheduleAttempt(step.delayMs, reason);
  }

  /**
   * The user is still typing a nick and the connection dropped (the server's registration timeout,
   * say): that is no failed attempt, and a reconnect now would only be dropped again. The next
   * attempt starts with the answer, which registers on it.
   */
  #awaitAnswer(answer: Promise<string | undefined>): void {
    void answer.then((nick) => {
      if (this.#state === 'closed' || this.#connection !== undefined) return;
      if (nick === undefined) this.#finish('no nick chosen', new Error('no nick chosen'));
      else this.#attempt();
    });
  }

  #scheduleAttempt(delayMs: number, reason: string): void {
    this.#state = this.#everConnected ? 'reconnecting' : 'connecting';
    this.emit('reconnecting', { attempt: this.#retry.nextAttempt, attempts: this.options.retries, delayMs, reason });
    this.#timer = setTimeout(() => {
      this.#attempt();
    }, delayMs);
  }

  #finish(reason: string, error: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#quitting = true;
    clearTimeout(this.#timer);
    this.#registration.abort();
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
    this.#stream.abandonHolds();
    const closed = new ClientClosedError(reason);
    this.#queue.failInFlight(() => closed);
    this.#queue.failWaiting(closed);
    this.#firstConnect?.reject(error ?? closed);
    this.#firstConnect = undefined;
    this.emit('closed', { reason, error });
  }

  /** Sent again after every reconnect. */
  protected rememberAdminToken(token: string): void {
    this.#handshake.adminToken = token;
  }

  /** The server said OK to `NICK`: every reconnect registers the new nick. */
  protected renamed(nick: string): void {
    this.#registration.renamed(nick);
  }

  /** From now on, a drop is final and no new command is accepted. */
  protected markQuitting(): void {
    this.#quitting = true;
  }

  #emitPublic(event: PublicEvent): void {
    this.emit('public', event);
    this.emit(EVENT_OF_TYPE[event.type], event);
  }

  #address(): string {
    return this.options.connector.address;
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
