/**
 * A worker's public lines and who gets them. The lines a turn brings are written to every
 * registered session at the end of the turn, joined and encoded once for all of them: a turn
 * that brought many batches costs each client one chunk, not one per batch. What a session is
 * told alone must not overtake the public lines before it: it is caught up first.
 */
import type { Session } from './session.js';
import type { TurnWriter } from './turn-writer.js';

type Recipient = Pick<Session, 'deliver'>;

export class PublicLines {
  readonly #writer: Pick<TurnWriter, 'beforeFlush'>;
  readonly #registered = new Set<Recipient>();
  /** This turn's public lines: written at the end of the turn, all at once. */
  #texts: string[] = [];
  /** Sessions told something alone this turn, and how many of its public lines they already have. */
  readonly #caughtUp = new Map<Recipient, number>();
  /** Public events among this turn's public lines. */
  #turnEvents = 0;
  #delivered = 0;

  constructor(writer: Pick<TurnWriter, 'beforeFlush'>) {
    this.#writer = writer;
  }

  /** Public event lines written so far: an event counts once per recipient. */
  get delivered(): number {
    return this.#delivered;
  }

  /** From now on the session gets the public lines. */
  enrol(session: Recipient): void {
    this.#registered.add(session);
  }

  /** The session gets no more public lines. */
  remove(session: Recipient): void {
    this.#registered.delete(session);
  }

  /** A broadcast of `events` public events, written at the end of this turn. */
  add(text: string, events: number): void {
    this.#turnEvents += events;
    if (this.#texts.push(text) === 1) this.#writer.beforeFlush(this.flush);
  }

  /** Before the session is told something alone: this turn's public lines it does not have yet. */
  catchUp(session: Recipient): void {
    const to = this.#texts.length;
    if (to === 0) return;
    const from = this.#caughtUp.get(session) ?? 0;
    if (from < to && this.#registered.has(session)) session.deliver(this.#texts.slice(from).join(''));
    this.#caughtUp.set(session, to);
  }

  /** Writes this turn's public lines to every registered session now. */
  readonly flush = (): void => {
    const texts = this.#texts;
    if (texts.length === 0) return;
    this.#texts = [];
    this.#delivered += this.#turnEvents * this.#registered.size;
    this.#turnEvents = 0;
    const bytes = Buffer.from(texts.join(''));
    if (this.#caughtUp.size === 0) {
      for (const session of this.#registered) session.deliver(bytes);
      return;
    }
    for (const session of this.#registered) {
      const from = this.#caughtUp.get(session);
      if (from === undefined) session.deliver(bytes);
      else if (from < texts.length) session.deliver(texts.slice(from).join(''));
    }
    this.#caughtUp.clear();
  };
}
