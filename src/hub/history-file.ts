/**
 * The primary's persistent history: `<dir>/history.jsonl`, in the format of `history-format.ts`
 * (a header line naming the epoch, then one JSON line per public event).
 *
 * Writing: `append` only queues; one write at a time carries everything queued since the last
 * one, at an explicit offset, so a failed or partial write is simply redone over its own bytes.
 * `flush` resolves once the write syscalls are done, without fsync: what we guard against is a
 * killed process, which the page cache survives; an fsync per batch would cost every batch a
 * disk round trip. `close` does fsync, and so does compaction before its rename.
 *
 * Compaction: when the file holds more than `compactAbove` event lines (default
 * max(4 × retain, 10 000)), it is rewritten as the header and the last `retain` written events —
 * into `history.jsonl.tmp`, fsynced, renamed over the old file — and appending goes on in the new
 * one. It runs in the writer's slot, so events appended meanwhile just wait for the next write.
 *
 * Stalls: if the disk stalls or keeps failing, pending events pile up. Past `maxPendingBytes`
 * (default 64 MiB) the oldest quarter of them is dropped (the newest matter most to a restart,
 * whose HISTORY serves the last events), logged as an error once per stall.
 */
import { randomInt } from 'node:crypto';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { PublicEvent } from '../protocol/wire.js';
import {
  encodeEvent,
  scanHistory,
  writeAll,
  writeSnapshot,
  writeToHandle,
  type ChunkWriter,
  type HistoryScan,
} from './history-format.js';

export type { ChunkWriter } from './history-format.js';

export interface RestoredHistory {
  /** The seq space's name; new when no history was found. */
  epoch: string;
  /** 0 when new. */
  lastSeq: number;
  /** The last `retain` events, oldest first. Seqs increase but may skip lines lost to corruption. */
  events: PublicEvent[];
  /** True when the epoch is new: no usable history existed, or the file was damaged. */
  fresh: boolean;
}

export interface HistoryFileOptions {
  /** Created if missing; the file is `${dir}/history.jsonl`. */
  dir: string;
  /** How many events HISTORY serves (the hub's ring size). */
  retain: number;
  /** The server's line limit: no event read back may carry a longer text than a client could send. */
  maxLine: number;
  log: Logger;
  /** Compact when the file holds more event lines than this; default max(4 × retain, 10 000). */
  compactAbove?: number;
  /** Pending bytes beyond which the oldest pending events are dropped; default 64 MiB. */
  maxPendingBytes?: number;
  /** Wait before retrying a failed write; default 1000 ms. */
  retryDelayMs?: number;
  /** Every write to disk goes through it: the seam tests use to count, delay or fail writes. */
  writeChunk?: ChunkWriter;
}

interface HistorySettings {
  dir: string;
  path: string;
  retain: number;
  maxLine: number;
  log: Logger;
  compactAbove: number;
  maxPendingBytes: number;
  retryDelayMs: number;
  writeChunk: ChunkWriter;
}

interface PendingRecord {
  seq: number;
  line: string;
  bytes: number;
}

const HISTORY_FILE_NAME = 'history.jsonl';

/** A short random base36 name for a new seq space, e.g. 'k3x9q0'. */
export function newEpoch(): string {
  return randomInt(36 ** 5, 36 ** 6).toString(36);
}

export class HistoryFile {
  readonly #settings: HistorySettings;
  readonly #epoch: string;
  #handle: FileHandle;
  #handleClosed = false;
  /** Where the file's last whole line ends: the next write goes there. */
  #size: number;
  /** A failed write may have left bytes past #size; they go before the next write. */
  #tailDirty = false;
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
  #retryTimer: NodeJS.Timeout | null = null;
  #failing = false;
  #droppedInStall = 0;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(
    settings: HistorySettings,
    epoch: string,
    handle: FileHandle,
    size: number,
    eventLines: number,
    restored: PublicEvent[],
    lastSeq: number,
  ) {
    this.#settings = settings;
    this.#epoch = epoch;
    this.#handle = handle;
    this.#size = size;
    this.#eventLines = eventLines;
    this.#compactAt = settings.compactAbove;
    this.#recent = [...restored];
    this.#appendedSeq = lastSeq;
    this.#writtenSeq = lastSeq;
  }

  /** Restores the history from `<dir>/history.jsonl`, or starts a new one. Rejects only if the dir or file is unusable. */
  static async open(options: HistoryFileOptions): Promise<{ file: HistoryFile; restored: RestoredHistory }> {
    const settings = resolveSettings(options);
    const { dir, path } = settings;
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new Error(`history: cannot use the data dir ${dir}: ${describe(error)}`, { cause: error });
    }
    try {
      return (await HistoryFile.#restore(settings)) ?? (await HistoryFile.#start(settings));
    } catch (error) {
      throw new Error(`history: cannot use ${path}: ${describe(error)}`, { cause: error });
    }
  }

  /** Continues the history in an existing file; null when there is none worth continuing. */
  static async #restore(settings: HistorySettings): Promise<{ file: HistoryFile; restored: RestoredHistory } | null> {
    const { path, retain, maxLine, log } = settings;
    const handle = await openExisting(path);
    if (handle === null) return null;
    let scan: HistoryScan;
    try {
      scan = await scanHistory(handle, retain, maxLine, log, path);
      if (scan.epoch !== null && scan.damage === null && scan.wholeBytes < scan.totalBytes) {
        log.warn(
          `history: skipping a torn last line of ${path} (${scan.totalBytes - scan.wholeBytes} bytes without a newline)`,
        );
        await handle.truncate(scan.wholeBytes);
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    if (scan.epoch === null) {
      await handle.close();
      if (scan.totalBytes > 0) {
        await rename(path, `${path}.unusable`);
        log.warn(`history: ${path} has no valid header; moved it to ${path}.unusable`);
      }
      return null;
    }
    if (scan.damage !== null) {
      await handle.close();
      await rename(path, `${path}.damaged`);
      log.error(
        `history: ${path} is damaged (${scan.damage}); moved it to ${path}.damaged and kept the ` +
          `${scan.events.length} events before the damage under a new epoch`,
      );
      return HistoryFile.#start(settings, scan.events);
    }
    const file = new HistoryFile(
      settings,
      scan.epoch,
      handle,
      scan.wholeBytes,
      scan.eventLines,
      scan.events,
      scan.lastSeq,
    );
    if (file.#compactionDue()) await file.#compact();
    log.info(`history: restored epoch ${scan.epoch} up to seq ${scan.lastSeq} from ${path}`);
    return { file, restored: { epoch: scan.epoch, lastSeq: scan.lastSeq, events: scan.events, fresh: false } };
  }

  /**
   * Starts a new epoch in a new file, holding `events` (what was trusted of a damaged file):
   * its seqs go on after them, but under a new name, since events after the damage may have
   * reached clients under the same seqs.
   */
  static async #start(
    settings: HistorySettings,
    events: PublicEvent[] = [],
  ): Promise<{ file: HistoryFile; restored: RestoredHistory }> {
    const epoch = newEpoch();
    const lastSeq = events.at(-1)?.seq ?? 0;
    const snapshot = await writeSnapshot(settings.path, epoch, events, settings.writeChunk);
    settings.log.info(`history: new epoch ${epoch} in ${settings.path}`);
    const file = new HistoryFile(settings, epoch, snapshot.handle, snapshot.size, events.length, events, lastSeq);
    return { file, restored: { epoch, lastSeq, events, fresh: true } };
  }

  /** Queues an event; it reaches the disk in the next batch. Seqs must increase. */
  append(event: PublicEvent): void {
    if (this.#closed) throw new Error(`history: append after close of ${this.#settings.path}`);
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
    if (this.#pendingBytes > this.#settings.maxPendingBytes) this.#dropOldestPending();
    this.#schedule();
  }

  /**
   * Resolves once everything appended so far is written (not fsynced), or once an attempt to
   * write it has failed: the error is logged and the events stay queued for the retry.
   */
  async flush(): Promise<void> {
    const target = this.#appendedSeq;
    while (this.#writtenSeq < target && !this.#handleClosed) {
      const joined = this.#busy !== null;
      if (!joined && this.#pending.length === 0) return;
      const written = await this.#step();
      // A write that was already under way may have failed before its retry: try once more ourselves.
      if (!written && !joined) return;
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
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#handleClosed = true;
    const { path, log } = this.#settings;
    if (this.#pending.length > 0) log.error(`history: closing ${path} with ${this.#pending.length} events not written`);
    try {
      await this.#handle.datasync();
    } catch (error) {
      log.error(`history: cannot sync ${path}: ${describe(error)}`);
    }
    try {
      await this.#handle.close();
    } catch (error) {
      log.error(`history: cannot close ${path}: ${describe(error)}`);
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy !== null || this.#retryTimer !== null) return;
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
      this.#afterStep(written);
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

  #afterStep(written: boolean): void {
    if (this.#handleClosed) return;
    if (!written) {
      this.#retryTimer ??= setTimeout(() => {
        this.#retryTimer = null;
        void this.#step();
      }, this.#settings.retryDelayMs).unref();
    } else if (this.#pending.length > 0 || this.#compactionDue()) {
      void this.#step();
    }
  }

  async #writePending(): Promise<boolean> {
    const { path, log } = this.#settings;
    const batch = this.#pending;
    const batchBytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    const data = Buffer.from(batch.map((record) => record.line).join(''));
    try {
      if (this.#tailDirty) await this.#handle.truncate(this.#size);
      this.#tailDirty = false;
      await writeAll(this.#settings.writeChunk, this.#handle, data, this.#size);
    } catch (error) {
      this.#tailDirty = true;
      this.#pending = batch.concat(this.#pending);
      this.#pendingBytes += batchBytes;
      if (this.#pendingBytes > this.#settings.maxPendingBytes) this.#dropOldestPending();
      if (!this.#failing) {
        this.#failing = true;
        log.error(`history: cannot write ${path}: ${describe(error)}; keeping the events queued and retrying`);
      }
      return false;
    }
    this.#size += data.length;
    this.#eventLines += batch.length;
    this.#writtenSeq = batch.at(-1)?.seq ?? this.#writtenSeq;
    if (this.#failing) {
      this.#failing = false;
      log.warn(`history: writing ${path} again`);
    }
    if (this.#droppedInStall > 0) {
      log.warn(`history: ${this.#droppedInStall} events were dropped from ${path} while writes stalled`);
      this.#droppedInStall = 0;
    }
    return true;
  }

  /** Drops the oldest queued events down to three quarters of the bound, so drops come in batches. */
  #dropOldestPending(): void {
    const { maxPendingBytes, path, log } = this.#settings;
    const target = (maxPendingBytes * 3) / 4;
    let dropped = 0;
    for (const { bytes } of this.#pending.slice(0, -1)) {
      if (this.#pendingBytes <= target) break;
      this.#pendingBytes -= bytes;
      dropped++;
    }
    this.#pending.splice(0, dropped);
    if (this.#droppedInStall === 0) {
      log.error(
        `history: more than ${maxPendingBytes} bytes waiting to be written to ${path}; dropping the oldest of them`,
      );
    }
    this.#droppedInStall += dropped;
  }

  #compactionDue(): boolean {
    return this.#eventLines > this.#compactAt;
  }

  /** Rewrites the file as the header and the last `retain` written events. Logs a failure and keeps the old file. */
  async #compact(): Promise<void> {
    const { path, retain, log, writeChunk, compactAbove } = this.#settings;
    const events = this.#recent.filter((event) => event.seq <= this.#writtenSeq).slice(-retain);
    const before = this.#size;
    let snapshot: { handle: FileHandle; size: number };
    try {
      snapshot = await writeSnapshot(path, this.#epoch, events, writeChunk);
    } catch (error) {
      // Retry after another `retain` events rather than after every write.
      this.#compactAt = this.#eventLines + retain;
      log.error(`history: cannot compact ${path}: ${describe(error)}; appending to the old file`);
      return;
    }
    const old = this.#handle;
    this.#handle = snapshot.handle;
    this.#size = snapshot.size;
    this.#tailDirty = false;
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

function resolveSettings(options: HistoryFileOptions): HistorySettings {
  const { dir, retain, maxLine, log } = options;
  if (typeof dir !== 'string' || dir === '') throw new TypeError('history: dir must be a non-empty path');
  requirePositiveInteger('retain', retain);
  requirePositiveInteger('maxLine', maxLine);
  const compactAbove = options.compactAbove ?? Math.max(4 * retain, 10_000);
  requirePositiveInteger('compactAbove', compactAbove);
  if (compactAbove <= retain) throw new RangeError('history: compactAbove must be greater than retain');
  const maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  requirePositiveInteger('maxPendingBytes', maxPendingBytes);
  const retryDelayMs = options.retryDelayMs ?? 1000;
  requirePositiveInteger('retryDelayMs', retryDelayMs);
  const path = join(dir, HISTORY_FILE_NAME);
  return {
    dir,
    path,
    retain,
    maxLine,
    log,
    compactAbove,
    maxPendingBytes,
    retryDelayMs,
    writeChunk: options.writeChunk ?? writeToHandle,
  };
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`history: ${name} must be a positive integer`);
}

async function openExisting(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r+');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    throw error;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
