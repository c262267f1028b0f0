/**
 * The client's view of the server's public event stream (MSG, JOIN, LEAVE, ANNOUNCE): delivered
 * exactly once each, in seq order, with holes reported.
 *
 * While a `HISTORY` reply is outstanding, replayed and live events interleave on the wire; the
 * stream is "held" then: events are collected by seq and delivered, merged and deduplicated, when
 * the last hold is released.
 */
import type { PublicEvent } from '../protocol/wire.js';

export interface PublicStreamSink {
  event(event: PublicEvent): void;
  /** Events `after + 1` … `after + missing` were never received and are no longer retained. */
  gap(after: number, missing: number): void;
}

export interface ReleaseSummary {
  /** Events delivered by this release (new to the stream). */
  delivered: number;
  /** Events found missing while delivering them. */
  missing: number;
}

/** Collects the events seen during one `HISTORY` command, for its result. */
export class HistoryCollector {
  readonly events = new Map<number, PublicEvent>();
}

export class PublicStream {
  readonly #sink: PublicStreamSink;
  #lastSeen: number | undefined;
  #holds = 0;
  #held = new Map<number, PublicEvent>();
  #collectors = new Set<HistoryCollector>();

  constructor(sink: PublicStreamSink) {
    this.#sink = sink;
  }

  /** The seq of the last event delivered; undefined before the first one or after `forget()`. */
  get lastSeen(): number | undefined {
    return this.#lastSeen;
  }

  get held(): boolean {
    return this.#holds > 0;
  }

  accept(event: PublicEvent): void {
    for (const collector of this.#collectors) collector.events.set(event.seq, event);
    if (this.#holds > 0) {
      this.#held.set(event.seq, event);
      return;
    }
    this.#deliver(event);
  }

  hold(): void {
    this.#holds++;
  }

  /** Ends one hold; the last one delivers everything held, oldest first, skipping what was already seen. */
  release(): ReleaseSummary {
    const summary = { delivered: 0, missing: 0 };
    if (this.#holds === 0) return summary;
    if (--this.#holds > 0) return summary;
    const held = [...this.#held.values()].sort((a, b) => a.seq - b.seq);
    this.#held.clear();
    for (const event of held) {
      const outcome = this.#deliver(event);
      if (outcome === undefined) continue;
      summary.delivered++;
      summary.missing += outcome;
    }
    return summary;
  }

  /** Drops every hold and what it held (the connection they belonged to is gone). */
  abandonHolds(): void {
    this.#holds = 0;
    this.#held.clear();
    this.#collectors.clear();
  }

  /** The seq space changed (a new epoch): old seqs mean nothing any more. */
  forget(): void {
    this.#lastSeen = undefined;
  }

  startCollecting(): HistoryCollector {
    const collector = new HistoryCollector();
    this.#collectors.add(collector);
    return collector;
  }

  /** Ends a collection; returns the collected events already delivered before (the new ones are live), oldest first. */
  stopCollecting(collector: HistoryCollector): PublicEvent[] {
    this.#collectors.delete(collector);
    const seen = this.#lastSeen;
    return [...collector.events.values()]
      .filter((event) => seen !== undefined && event.seq <= seen)
      .sort((a, b) => a.seq - b.seq);
  }

  /** Delivers unless already seen; returns the number of events found missing, or undefined if skipped. */
  #deliver(event: PublicEvent): number | undefined {
    const last = this.#lastSeen;
    if (last !== undefined && event.seq <= last) return undefined;
    const missing = last === undefined ? 0 : event.seq - last - 1;
    this.#lastSeen = event.seq;
    if (last !== undefined && missing > 0) this.#sink.gap(last, missing);
    this.#sink.event(event);
    return missing;
  }
}
