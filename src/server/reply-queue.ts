/**
 * Keeps replies in command order. Commands answered by the hub take a while; commands answered
 * locally (PING, HELP, errors) must not overtake them, so every command takes a slot and slots
 * are written strictly from the head.
 */
interface Slot {
  text: string | undefined;
  /** Whether the hub answers this slot (hub answers arrive in the order they were asked). */
  viaHub: boolean;
  onAnswer: ((text: string) => void) | undefined;
  afterWrite: (() => void) | undefined;
}

export class ReplyQueue {
  readonly #slots: Slot[] = [];
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  get length(): number {
    return this.#slots.length;
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
      this.#slots.push({ text, viaHub: false, onAnswer: undefined, afterWrite });
    }
  }

  /** Runs `action` once every reply asked for so far is written. */
  afterAll(action: () => void): void {
    this.local('', action);
  }

  /** Reserves the place of a reply the hub will send; `onAnswer` runs with it when it arrives. */
  awaitHub(onAnswer?: (text: string) => void): void {
    this.#slots.push({ text: undefined, viaHub: true, onAnswer, afterWrite: undefined });
  }

  /** The hub's answer to the oldest slot still waiting for it. False if none was waiting. */
  answer(text: string): boolean {
    const slot = this.#slots.find((s) => s.viaHub && s.text === undefined);
    if (slot === undefined) return false;
    slot.text = text;
    slot.onAnswer?.(text);
    for (let head = this.#slots[0]; head?.text !== undefined; head = this.#slots[0]) {
      this.#slots.shift();
      if (head.text !== '') this.#write(head.text);
      head.afterWrite?.();
    }
    return true;
  }
}
