/**
 * Keeps replies in command order. Commands answered by the hub take a while; commands answered
 * locally (PING, HELP, errors) must not overtake them, so every command takes a slot and slots
 * are written strictly from the head.
 *
 * A slot may hold a streamed reply (HISTORY): it is produced only once it reaches the head, and
 * piece by piece while the connection has room; the slots behind it wait until it is done.
 */

/** A reply written in pieces once it reaches the head of the queue. */
export interface StreamedReply {
  /** Writes pieces while `room()` allows; true once the whole reply is written. */
  pump(write: (text: string) => void, room: () => boolean): boolean;
}

interface Slot {
  text: string | undefined;
  stream: StreamedReply | undefined;
  /** Whether the hub answers this slot (hub answers arrive in the order they were asked). */
  viaHub: boolean;
  onAnswer: ((text: string) => void) | undefined;
  afterWrite: (() => void) | undefined;
}

export class ReplyQueue {
  readonly #slots: Slot[] = [];
  readonly #write: (text: string) => void;
  readonly #room: () => boolean;
  #streaming = false;
  #advancing = false;

  /** `room` says whether the connection can take more of a streamed reply now. */
  constructor(write: (text: string) => void, room: () => boolean) {
    this.#write = write;
    this.#room = room;
  }

  get length(): number {
    return this.#slots.length;
  }

  /** Whether a streamed reply is being written: other lines for the connection must wait. */
  get streaming(): boolean {
    return this.#streaming;
  }

  /**
   * A reply known now; written at once unless older replies are still awaited. `afterWrite`
   * runs once it is written (to close the connection after a last line, say).
   */
  local(text: string, afterWrite?: () => void): void {
    if (this.#slots.length === 0) {
      if (text !== '') this.#write(text);
      afterWrite?.();
    } else {
      this.#slots.push({ text, stream: undefined, viaHub: false, onAnswer: undefined, afterWrite });
    }
  }

  /** Runs `action` once every reply asked for so far is written. */
  afterAll(action: () => void): void {
    this.local('', action);
  }

  /** Reserves the place of a reply the hub will send; `onAnswer` runs with it when it arrives. */
  awaitHub(onAnswer?: (text: string) => void): void {
    this.#slots.push({ text: undefined, stream: undefined, viaHub: true, onAnswer, afterWrite: undefined });
  }

  /** A reply produced when it reaches the head; `afterWrite` runs once it is all written. */
  stream(reply: StreamedReply, afterWrite?: () => void): void {
    this.#slots.push({ text: undefined, stream: reply, viaHub: false, onAnswer: undefined, afterWrite });
    this.pump();
  }

  /** The hub's answer to the oldest slot still waiting for it. False if none was waiting. */
  answer(text: string): boolean {
    const slot = this.#slots.find((s) => s.viaHub && s.text === undefined);
    if (slot === undefined) return false;
    slot.text = text;
    slot.onAnswer?.(text);
    this.pump();
    return true;
  }

  /** Writes what can be written from the head: answered slots, and a streamed reply while there is room. */
  pump(): void {
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      for (let head = this.#slots[0]; head !== undefined; head = this.#slots[0]) {
        if (head.stream !== undefined) {
          this.#streaming = true;
          if (!head.stream.pump(this.#write, this.#room)) return;
          this.#streaming = false;
        } else if (head.text === undefined) {
          return;
        } else if (head.text !== '') {
          this.#write(head.text);
        }
        this.#slots.shift();
        head.afterWrite?.();
      }
    } finally {
      this.#advancing = false;
    }
  }
}
