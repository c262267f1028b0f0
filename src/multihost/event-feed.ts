/**
 * Reads the public events from the stream, in stream order, from a given seq on, and hands each
 * to `onEvent` exactly once: every host runs one feed, so every host — and every worker and
 * client behind it — sees the same events in the same order.
 *
 * It uses an ordered consumer (the client recreates it on a gap), watched by a watchdog: on
 * nats-server 2.9 an ordered consumer can stall without a word after its stream's leader dies (the
 * server answers "consumer offline", the client waits for "consumer not found"). When neither a
 * message nor a server heartbeat has come for `stallAfter`, the feed drops its consumer and
 * creates a new one from the last seq it delivered. Creating one can itself time out while a node
 * is down, so creates are short and retried until they work.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../log.js';
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';
import { EVENTS_STREAM, REAPED_HEADER } from './names.js';

const MSG_ID_HEADER = 'Nats-Msg-Id';

/** A public event as stored: its seq and time come from the stream. */
interface StoredEvent {
  type: PublicEventType;
  nick: string;
  text: string;
}

export interface FedEvent {
  event: PublicEvent;
  /** For a `LEAVE … host lost`: the host incarnation that was reaped. */
  reaped: string | undefined;
  /** The `Nats-Msg-Id` it was published under: how a host recognises its own events. */
  msgId: string | undefined;
}

export interface EventFeedOptions {
  js: JetStreamClient;
  /** The first seq to deliver. */
  from: number;
  onEvent: (fed: FedEvent) => void;
  log: Logger;
  /** Milliseconds without a message or heartbeat after which the consumer is recreated. */
  stallAfter: number;
  /** Milliseconds a consumer create may take before it is tried again. */
  createTimeout: number;
}

/** How long one pull waits on the server; heartbeats come every half of it. */
const PULL_EXPIRES_MS = 2_000;

export class EventFeed {
  readonly #options: EventFeedOptions;
  #next: number;
  #messages: ConsumerMessages | undefined;
  #lastSign = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #restarting: Promise<void> | undefined;
  #stopped = false;
  /** How many times the watchdog had to recreate the consumer (for the log and tests). */
  recreated = 0;

  constructor(options: EventFeedOptions) {
    this.#options = options;
    this.#next = options.from;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The last seq delivered. */
  get lastSeq(): number {
    return this.#next - 1;
  }

  async start(): Promise<void> {
    await this.#consume();
    const stallAfter = this.#options.stallAfter;
    this.#watchdog = setInterval(
      () => {
        if (Date.now() - this.#lastSign > stallAfter) this.#restart('no message nor heartbeat');
      },
      Math.max(stallAfter / 4, 50),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    await this.#restarting;
    await this.#messages?.close();
  }

  #restart(why: string): void {
    if (this.#restarting !== undefined || this.#stopped) return;
    this.recreated++;
    this.#options.log.warn(`event feed stalled (${why}); recreating its consumer from seq ${this.#next}`);
    const old = this.#messages;
    this.#messages = undefined;
    this.#restarting = (async () => {
      await old?.close().catch(() => undefined);
      await this.#consume();
    })().finally(() => {
      this.#restarting = undefined;
    });
  }

  /** Creates the consumer from `#next`, retrying until it works or the feed is stopped. */
  async #consume(): Promise<void> {
    const { js, log, createTimeout } = this.#options;
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        const consumer = await withTimeout(
          js.consumers.get(EVENTS_STREAM, {
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: this.#next,
          }),
          createTimeout,
        );
        const pending = consumer.consume({
          expires: PULL_EXPIRES_MS,
          callback: (msg) => {
            this.#onMessage(msg);
          },
        });
        const messages = await withTimeout(pending, createTimeout).catch((error: unknown) => {
          // It may still come: then it is one nobody reads from, closed at once.
          void pending.then((late) => late.close()).catch(() => undefined);
          throw error;
        });
        // Stopped while we waited for the create: nobody wants this consumer now.
        if (this.stopped) {
          await messages.close();
          return;
        }
        this.#messages = messages;
        this.#lastSign = Date.now();
        void this.#watchStatus(messages);
        return;
      } catch (error) {
        log.debug(`event feed: consumer create attempt ${attempt} failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'heartbeat' || status.type === 'next' || status.type === 'flow_control') {
        this.#lastSign = Date.now();
      }
    }
  }

  #onMessage(msg: JsMsg): void {
    this.#lastSign = Date.now();
    const seq = msg.seq;
    if (seq < this.#next) return;
    if (seq > this.#next) {
      this.#options.log.warn(`events ${this.#next}-${seq - 1} are no longer retained; going on from ${seq}`);
    }
    this.#next = seq + 1;
    const stored = msg.json<StoredEvent>();
    const time = new Date(Number(msg.timestampNanos / 1_000_000n)).toISOString();
    this.#options.onEvent({
      event: { type: stored.type, seq, time, nick: stored.nick, text: stored.text },
      reaped: msg.headers?.get(REAPED_HEADER) || undefined,
      msgId: msg.headers?.get(MSG_ID_HEADER) || undefined,
    });
  }
}

/** Rejects after `ms`; the promise itself goes on, and whoever made it cleans up after it. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
