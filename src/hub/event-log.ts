/**
 * Where the hub's public events are made to last before anyone sees them: the history file, or
 * nothing at all with `--no-persist`. `LocalState` sequences events into it and delivers each
 * once its log says it is written.
 */
import type { PublicEvent } from '../protocol/wire.js';

/** Who learns what became of the events appended. */
export interface EventLogListener {
  /** Every event up to `seq` is written. */
  written(seq: number): void;
  /** A write failed: every event after `writtenSeq` is dropped; appends are refused until `recovered`. */
  failed(writtenSeq: number, reason: string): void;
  /** There is room again: appends are welcome. */
  recovered(): void;
}

/** Where public events are made to last (`HistoryFile`), or not (`MemoryLog`). */
export interface EventLog {
  listen(listener: EventLogListener): void;
  append(event: PublicEvent): void;
  /** So much waits for a slow write that no more should be appended for now. */
  readonly stalled: boolean;
  /** Resolves once everything appended so far is written, or dropped by a failed write. */
  flush(): Promise<void>;
}

/** `--no-persist`: an event is "written" the moment it is appended. */
export class MemoryLog implements EventLog {
  readonly stalled = false;
  #listener: EventLogListener | undefined;

  listen(listener: EventLogListener): void {
    this.#listener = listener;
  }

  append(event: PublicEvent): void {
    this.#listener?.written(event.seq);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
