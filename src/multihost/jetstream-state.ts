/**
 * The hub's `ChatState` when several hosts share one chat through NATS JetStream (`--nats`): the
 * callbacks the hub expects, over `JetStreamChat`'s promises. A call that finds JetStream out of
 * reach past its deadline answers `undefined` (the hub replies `ERROR UNAVAILABLE`).
 */
import type { ChatState, HubSide, SeqCallback } from '../hub/chat-state.js';
import type { Logger } from '../log.js';
import { nickKey } from '../protocol/nick.js';
import type { PublicEventType } from '../protocol/wire.js';
import type { JetStreamChat } from './jetstream-chat.js';
import { isWrongLastSequence, UnavailableError } from './retry.js';

export class JetStreamState implements ChatState {
  readonly unavailable = 'the chat cannot be reached right now; try again';
  readonly #chat: JetStreamChat;
  readonly #log: Logger;
  /** LEAVEs not stored yet: a host stopping in good order waits for them. */
  readonly #leaving = new Set<Promise<void>>();

  constructor(chat: JetStreamChat, log: Logger) {
    this.#chat = chat;
    this.#log = log;
  }

  get epoch(): string {
    return this.#chat.epoch;
  }

  get lastSeq(): number {
    return this.#chat.lastSeq;
  }

  start(hub: HubSide): Promise<void> {
    return this.#chat.start(hub);
  }

  claim(nick: string, done: (claimed: boolean | undefined) => void): void {
    this.#settle(`REGISTER ${nick}`, this.#chat.claim(nick), done);
  }

  unclaim(nick: string): void {
    this.#chat.release(nick).catch((error: unknown) => {
      this.#log.warn(`nick ${nick} could not be freed: ${(error as Error).message}`);
    });
  }

  publish(type: PublicEventType, nick: string, text: string, done: SeqCallback, before?: () => void): void {
    this.#settle(type, this.#chat.publish(type, nick, text, before === undefined ? {} : { before }), done);
  }

  leave(nick: string, reason: string, done?: () => void): void {
    const leaving = this.#leave(nick, reason).then(() => {
      this.#leaving.delete(leaving);
      done?.();
    });
    this.#leaving.add(leaving);
  }

  rename(old: string, nick: string, reason: string, done: SeqCallback): void {
    this.#settle(`NICK ${nick}`, this.#rename(old, nick, reason), done);
  }

  users(done: (nicks: string[] | undefined) => void): void {
    this.#settle('USERS', this.#chat.users(), done);
  }

  dmElsewhere(nick: string, line: string, done: (found: boolean | undefined) => void): void {
    this.#settle(`DM ${nick}`, this.#chat.dm(nick, line), done);
  }

  kickElsewhere(nick: string, why: string, done: (found: boolean | undefined) => void): void {
    this.#settle(`KICK ${nick}`, this.#chat.kick(nick, why), done);
  }

  async close(): Promise<void> {
    await Promise.all(this.#leaving);
    await this.#chat.close();
  }

  /**
   * A LEAVE must be told: retried past every deadline for as long as this host is part of the
   * chat. Once it is fenced (even if it rejoined since), the others let the user go (`host lost`),
   * and so do we.
   */
  async #leave(nick: string, reason: string): Promise<void> {
    const gone = this.#chat.fencedSince();
    for (;;) {
      try {
        await this.#chat.publish('LEAVE', nick, reason);
        await this.#chat.release(nick);
        return;
      } catch (error) {
        if (gone()) return;
        this.#log.warn(`LEAVE ${nick} not stored yet (${(error as Error).message}); trying again`);
      }
    }
  }

  /**
   * The LEAVE and the JOIN of a nick change are two events in a row: the JOIN is stored only right
   * after the LEAVE (should another host's event come in between, the JOIN follows it). Once the
   * LEAVE is stored the JOIN must follow, retried like a LEAVE; then the old nick is free (unless
   * only its case changed: the claim is the same).
   */
  async #rename(old: string, nick: string, reason: string): Promise<number> {
    const gone = this.#chat.fencedSince();
    const left = await this.#chat.publish('LEAVE', old, reason);
    let joined: number | undefined;
    for (let after: number | undefined = left; joined === undefined;) {
      try {
        joined = await this.#chat.publish('JOIN', nick, '', after === undefined ? {} : { after });
      } catch (error) {
        if (isWrongLastSequence(error)) after = undefined;
        else if (gone()) throw error;
        else this.#log.warn(`JOIN ${nick} not stored yet (${(error as Error).message}); trying again`);
      }
    }
    if (nickKey(old) !== nickKey(nick)) await this.#chat.release(old);
    return joined;
  }

  #settle<T>(what: string, promise: Promise<T>, done: (value: T | undefined) => void): void {
    promise.then(done, (error: unknown) => {
      if (!(error instanceof UnavailableError)) this.#log.error(`${what} failed: ${(error as Error).message}`);
      done(undefined);
    });
  }
}
