/**
 * Whether this host may still act for its users. Every answer from JetStream is contact; a host
 * that goes `fenceAfter` without any, or that the others took for lost, fences itself: its
 * clients are told BYE and closed, since the others have by then let its users go. It probes
 * JetStream every `probeEvery` and rejoins, as a new incarnation, once JetStream answers again.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '../log.js';
import { EVENTS_STREAM } from './names.js';

interface HostFenceOptions {
  jsm: JetStreamManager;
  fenceAfter: number;
  probeEvery: number;
  log: Logger;
  /** Fenced: the host's users are gone. */
  onFence: () => void;
  /** JetStream answers again, after a fence. */
  onRejoin: () => void;
}

export class HostFence {
  readonly #options: HostFenceOptions;
  #fenced = false;
  #lastContact = Date.now();
  #probe: NodeJS.Timeout | undefined;

  constructor(options: HostFenceOptions) {
    this.#options = options;
  }

  get fenced(): boolean {
    return this.#fenced;
  }

  /** Not fenced, and JetStream answered within `fenceAfter`. */
  get inContact(): boolean {
    return !this.#fenced && Date.now() - this.#lastContact < this.#options.fenceAfter;
  }

  /** JetStream answered. */
  contact(): void {
    this.#lastContact = Date.now();
  }

  /** Starts probing JetStream. */
  start(): void {
    this.#probe = setInterval(() => void this.#check(), this.#options.probeEvery);
  }

  stop(): void {
    clearInterval(this.#probe);
  }

  fence(why: string): void {
    if (this.#fenced) return;
    this.#fenced = true;
    this.#options.log.error(`fenced: ${why}; closing every client of this host until the chat is back`);
    this.#options.onFence();
  }

  async #check(): Promise<void> {
    try {
      await this.#options.jsm.streams.info(EVENTS_STREAM);
      this.contact();
      if (this.#fenced) {
        this.#fenced = false;
        this.#options.onRejoin();
      }
    } catch {
      const silence = Date.now() - this.#lastContact;
      if (!this.#fenced && silence > this.#options.fenceAfter) {
        this.fence(`no contact with NATS for ${Math.round(silence / 1000)} s`);
      }
    }
  }
}
