/**
 * Which nick a client registers, and how: the nick given, or the user's answer when a `NickChooser`
 * asks for one (after the server's greeting, and again after each refusal of the first
 * registration); after a reconnect, `NICK_TAKEN` is retried with backoff, since the server may not
 * have freed the nick of the dropped connection yet.
 */
import type { Backoff } from './backoff.js';
import { ConnectionLostError, ServerReplyError } from './errors.js';
import type { NickChooser } from './events.js';

/** One connection attempt, as registration needs it. */
export interface RegistrationAttempt {
  /** Sends `REGISTER <nick>` on this attempt's connection; settles with the server's reply. */
  register(nick: string): Promise<void>;
  /** False once this attempt's connection is gone or replaced. */
  isCurrent(): boolean;
  /** Resolves after `ms` (a timer the client cancels when it closes). */
  sleep(ms: number): Promise<void>;
}

/** Refusals the user can answer with another nick. */
const ANSWERABLE = new Set(['NICK_TAKEN', 'BAD_NICK']);

export class Registration {
  readonly #backoff: Backoff;
  readonly #nickRetries: number;
  #nick: string | undefined;
  #choose: NickChooser | undefined;
  /** The question to the user in progress, shared by every attempt that needs its answer. */
  #choice: { answer: Promise<string | undefined>; abort: AbortController } | undefined;

  constructor(nick: string | undefined, backoff: Backoff, nickRetries: number) {
    this.#nick = nick;
    this.#backoff = backoff;
    this.#nickRetries = nickRetries;
  }

  /** The nick registered, or to register; undefined until chosen. */
  get nick(): string | undefined {
    return this.#nick;
  }

  set chooser(choose: NickChooser | undefined) {
    this.#choose = choose;
  }

  get canStart(): boolean {
    return this.#nick !== undefined || this.#choose !== undefined;
  }

  /** The server accepted `NICK`: reconnects register this one. */
  renamed(nick: string): void {
    this.#nick = nick;
  }

  /** The user's answer while a question is on screen (undefined: they gave up); undefined otherwise. */
  get pendingAnswer(): Promise<string | undefined> | undefined {
    return this.#choice?.answer;
  }

  /** The client ended: a question still on screen goes away. */
  abort(): void {
    this.#choice?.abort.abort();
  }

  /** Registers on the attempt's connection; resolves with the nick registered. */
  async register(attempt: RegistrationAttempt, reconnected: boolean): Promise<string> {
    const choose = this.#choose;
    if (!reconnected && choose !== undefined) return this.#registerChosen(attempt, choose);
    const nick = this.#nick;
    if (nick === undefined) throw new Error('no nick to register');
    for (let tries = 1; ; tries++) {
      try {
        await attempt.register(nick);
        return nick;
      } catch (error) {
        const retry = reconnected && isRefusal(error, 'NICK_TAKEN') && tries <= this.#nickRetries;
        if (!retry) throw error;
      }
      await attempt.sleep(this.#backoff.delay(tries));
      if (!attempt.isCurrent()) throw new ConnectionLostError('REGISTER');
    }
  }

  async #registerChosen(attempt: RegistrationAttempt, choose: NickChooser): Promise<string> {
    let refusal: ServerReplyError | undefined;
    for (;;) {
      const nick = this.#nick ?? (await this.#ask(choose, refusal));
      if (nick === undefined) throw new Error('no nick chosen');
      this.#nick = nick;
      if (!attempt.isCurrent()) throw new ConnectionLostError('REGISTER');
      try {
        await attempt.register(nick);
        return nick;
      } catch (error) {
        if (!(error instanceof ServerReplyError && ANSWERABLE.has(error.code))) throw error;
        refusal = error;
        this.#nick = undefined;
      }
    }
  }

  /** One question at a time: an attempt after a dropped connection waits for the answer already asked for. */
  #ask(choose: NickChooser, refusal: ServerReplyError | undefined): Promise<string | undefined> {
    if (this.#choice !== undefined) return this.#choice.answer;
    const abort = new AbortController();
    const answer = choose(refusal, abort.signal).finally(() => {
      this.#choice = undefined;
    });
    this.#choice = { answer, abort };
    return answer;
  }
}

function isRefusal(error: unknown, code: string): boolean {
  return error instanceof ServerReplyError && error.code === code;
}
