/**
 * The primary's persistent history: `<dir>/history.jsonl`, in the format of `history-format.ts`
 * (a header line naming the epoch, then one JSON line per public event).
 *
 * Writing: `append` only queues; one write at a time carries everything queued since the last
 * one, at an explicit offset. The listener hears `written(seq)` once the write syscalls are done,
 * without fsync: what we guard against is a killed process, which the page cache survives; an
 * fsync per batch would cost every batch a disk round trip. `close` does fsync, and so does
 * compaction before its rename.
 *
 * A failed write (ENOSPC, EIO, EFBIG…) is an outage. The events of that write and every one
 * queued after it are dropped from the queue, not retried: nobody has seen them (they are
 * delivered only once written), so the listener (`failed`) rolls them back and gives their seqs
 * out again later. Whatever the failed write left past the last whole line is truncated at once,
 * and again before the next write. Every `retryDelayMs` a probe (an 8 KiB write at the end of the
 * file, truncated away) checks for room; when it succeeds, the listener hears `recovered`. One
 * error is logged per outage, one warning at recovery.
 *
 * Compaction: when the file holds more than `compactAbove` event lines (default
 * max(4 × retain, 10 000)), it is rewritten as the header and the last `retain` written events —
 * into `history.jsonl.tmp`, fsynced, renamed over the old file — and appending goes on in the new
 * one. It runs in the writer's slot, so events appended meanwhile just wait for the next write.
 *
 * Stalls: a write that takes long lets events pile up in the queue. Past `maxPendingBytes`
 * (default 64 MiB) the file says it is `stalled`, and the hub refuses new public events until
 * the write is through: nothing is dropped.
 */
import type { FileHandle } from 'node:fs/promises';
import type { PublicEvent } from '../protocol/wire.js';
import type { EventLog, EventLogListener } from './event-log.js';
import { encodeEvent } from './history-format.js';
import { HistoryTail } from './history-tail.js';
import { writeSnapshot } from './history-write.js';
import {
  describe,
  openHistory,
  resolveSettings,
  type HistoryFileOptions,
  type HistorySettings,
  type OpenedHistory,
  type RestoredHistory,
} from './history-open.js';

export type { ChunkWriter } from './history-write.js';
export { newEpoch, type HistoryFileOptions, type RestoredHistory } from './history-open.js';

const IGNORE: EventLogListener = { written() {}, failed() {}, recovered() {} };

/**
 * What a probe writes (and truncates away) to see whether the disk has room again: room for a
 * batch of a few events at the longest line, so the chat does not resume only to stop at once,
 * and small enough that a disk grown by a little is seen to have room.
 */
const PROBE = Buffer.alloc(8 * 1024, 0x0a);

interface PendingRecord {
  seq: number;
  line: string;
  bytes: number;
}

export class HistoryFile implements EventLog {
  readonly #settings: HistorySettings;
  readonly #epoch: string;
  readonly #tail: HistoryTail;
  #handleClosed = false;
  #eventLines: number;
  #compactAt: number;
  /** The last events appended (up to 2 × retain), what compaction keeps. */
  #recent: PublicEvent[];
  #appendedSeq: number;
  #writtenSeq: number;
  #pending: PendingRecord[] = [];
  #pendingBytes = 0;
  #busy: Promise<boolean> | null = null;
  #scheduled = false;
  #listener: EventLogListener = IGNORE;
  /** Why writes fail, while they do; null when the file takes appends. */
  #outage: string | null = null;
  #probeTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(settings: HistorySettings, opened: OpenedHistory) {
    const { epoch, events, lastSeq } = opened.restored;
    this.#settings = settings;
    this.#epoch = epoch;
    this.#tail = new HistoryTail(opened.handle, opened.size, settings.writeChunk);
    this.#eventLines = opened.eventLines;
    this.#compactAt = settings.compactAbove;
    this.#recent = [...events];
    this.#appendedSeq = lastSeq;
    this.#writtenSeq = lastSeq;
  }

  /** Restores the history from `<dir>/history.jsonl`, or starts a new one. Rejects only if the dir or file is unusable. */
  static async open(options: HistoryFileOptions): Promise<{ file: HistoryFile; restored: RestoredHistory }> {
    const settings = resolveSettings(options);
    const opened = await openHistory(settings);
    const file = new HistoryFile(settings, opened);
    if (file.#compactionDue()) await file.#compact();
    return { file, restored: opened.restored };
  }

  /** Says what becomes of the events appended from now on. */
  listen(listener: EventLogListener): void {
    this.#listener = listener;
  }

  /** Why writes fail, during an outage; null otherwise. */
  get outage(): string | null {
    return this.#outage;
  }

  /** Whether so much waits for a slow write that no more should be appended for now. */
  get stalled(): boolean {
    return this.#pendingBytes > this.#settings.maxPendingBytes;
  }

  /** Queues an event; it reaches the disk in the next batch. Seqs must increase; not during an outage. */
  append(event: PublicEvent): void {
    if (this.#closed) throw new Error(`history: append after close of ${this.#settings.path}`);
    if (this.#outage !== null) throw new Error(`history: append during an outage of ${this.#settings.path}`);
    if (event.seq <= this.#appendedSeq) {
      throw new RangeError(`history: seq ${event.seq} does not follow ${this.#appendedSeq}`);
    }
    const line = encodeEvent(event);
    const bytes = Buffer.byteLength(line);
    this.#pending.push({ seq: event.seq, line, bytes });
    this.#pendingBytes += bytes;
    this.#appendedSeq = event.seq;
    this.#recent.push(event);
    if (this.#recent.length >= 2 * this.#settings.retain)
      this.#recent.splice(0, this.#recent.length - this.#settings.retain);
    this.#schedule();
  }

  /** Resolves once everything appended so far is written (not fsynced), or dropped by a failed write. */
  async flush(): Promise<void> {
    const target = this.#appendedSeq;
    while (this.#writtenSeq < target && !this.#handleClosed) {
      const joined = this.#busy !== null;
      if (!joined && this.#pending.length === 0) return;
      if (!(await this.#step())) return;
    }
  }

  /** Flushes, waits for a compaction under way, fsyncs and closes the file. Never rejects. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#closed = true;
    await this.flush();
    while (this.#busy !== null) await this.#busy;
    if (this.#probeTimer !== null) clearTimeout(this.#probeTimer);
    this.#handleClosed = true;
    const { path, log } = this.#settings;
    if (this.#pending.length > 0) log.error(`history: closing ${path} with ${this.#pending.length} events not written`);
    try {
      await this.#tail.sync();
    } catch (error) {
      log.error(`history: cannot sync ${path}: ${describe(error)}`);
    }
    try {
      await this.#tail.close();
    } catch (error) {
      log.error(`history: cannot close ${path}: ${describe(error)}`);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy !== null) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#step();
    });
  }

  /** Runs the next write or compaction, or joins the one under way. Resolves false if a write failed. */
  #step(): Promise<boolean> {
    this.#busy ??= this.#runStep().then((written) => {
      this.#busy = null;
      if (written && !this.#handleClosed && (this.#pending.length > 0 || this.#compactionDue())) void this.#step();
      return written;
    });
    return this.#busy;
  }

  async #runStep(): Promise<boolean> {
    if (this.#handleClosed) return true;
    try {
      if (this.#compactionDue()) {
        await this.#compact();
        return true;
      }
      return this.#pending.length === 0 ? true : await this.#writePending();
    } catch (error) {
      this.#settings.log.error(`history: unexpected failure writing ${this.#settings.path}: ${describe(error)}`);
      return false;
    }
  }

  async #writePending(): Promise<boolean> {
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const data = Buffer.from(batch.map((record) => record.line).join(''));
    try {
      await this.#tail.append(data);
    } catch (error) {
      await this.#fail(batch, describe(error));
      return false;
    }
    this.#eventLines += batch.length;
    this.#writtenSeq = batch.at(-1)?.seq ?? this.#writtenSeq;
    this.#listener.written(this.#writtenSeq);
    return true;
  }

  /** A failed write: its events and every one queued since are dropped; probing starts. */
  async #fail(batch: PendingRecord[], reason: string): Promise<void> {
    const { path, log, retryDelayMs } = this.#settings;
    const last = this.#pending.at(-1)?.seq ?? batch.at(-1)?.seq ?? this.#writtenSeq;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#appendedSeq = this.#writtenSeq;
    this.#recent = this.#recent.filter((event) => event.seq <= this.#writtenSeq);
    this.#outage = reason;
    const first = this.#writtenSeq + 1;
    const events = first === last ? `event ${first} was` : `events ${first}-${last} were`;
    log.error(
      `history: cannot write ${path}: ${reason}; ${events} not written and rolled back; ` +
        'new public events are refused until there is room',
    );
    this.#listener.failed(this.#writtenSeq, reason);
    // A partial write must not outlive us: a restart would read events nobody was told of.
    await this.#tail.truncate().catch(() => undefined);
    this.#probeTimer = setTimeout(this.#probeSoon, retryDelayMs).unref();
  }

  readonly #probeSoon = (): void => {
    this.#probeTimer = null;
    if (this.#handleClosed) return;
    this.#busy ??= this.#probe().then((recovered) => {
      this.#busy = null;
      if (this.#handleClosed) return recovered;
      // What the listener appended on hearing `recovered` waited for this slot.
      if (recovered) this.#schedule();
      else this.#probeTimer = setTimeout(this.#probeSoon, this.#settings.retryDelayMs).unref();
      return recovered;
    });
  };

  /** Writes `PROBE` past the end and truncates it away: true once that works. */
  async #probe(): Promise<boolean> {
    try {
      await this.#tail.probe(PROBE);
    } catch {
      return false;
    }
    this.#outage = null;
    this.#settings.log.warn(`history: ${this.#settings.path} can be written again; public events are accepted again`);
    this.#listener.recovered();
    return true;
  }

  #compactionDue(): boolean {
    return this.#eventLines > this.#compactAt;
  }

  /** Rewrites the file as the header and the last `retain` written events. Logs a failure and keeps the old file. */
  async #compact(): Promise<void> {
    const { path, retain, log, writeChunk, compactAbove } = this.#settings;
    const events = this.#recent.filter((event) => event.seq <= this.#writtenSeq).slice(-retain);
    const before = this.#tail.size;
    let snapshot: { handle: FileHandle; size: number };
    try {
      snapshot = await writeSnapshot(path, this.#epoch, events, writeChunk);
    } catch (error) {
      // Retry after another `retain` events rather than after every write.
      this.#compactAt = this.#eventLines + retain;
      log.error(`history: cannot compact ${path}: ${describe(error)}; appending to the old file`);
      return;
    }
    const old = this.#tail.replace(snapshot.handle, snapshot.size);
    this.#eventLines = events.length;
    this.#compactAt = compactAbove;
    log.info(`history: compacted ${path} to its last ${events.length} events (${before} → ${snapshot.size} bytes)`);
    try {
      await old.close();
    } catch (error) {
      log.warn(`history: cannot close the replaced ${path}: ${describe(error)}`);
    }
  }
}
