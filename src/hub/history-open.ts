/**
 * Opening the history file: restoring an existing one (a torn last line skipped, a file without
 * a header moved aside, a damaged one moved aside with what came before the damage kept under a
 * new epoch), or starting a new epoch. What `HistoryFile` goes on from.
 */
import { randomInt } from 'node:crypto';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { PublicEvent } from '../protocol/wire.js';
import { scanHistory, type HistoryScan } from './history-format.js';
import { writeSnapshot, writeToHandle, type ChunkWriter } from './history-write.js';

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
  /** Queued bytes beyond which the file is `stalled`; default 64 MiB. */
  maxPendingBytes?: number;
  /** Wait between two probes for room after a failed write; default 1000 ms. */
  retryDelayMs?: number;
  /** Every write to disk goes through it: the seam tests use to count, delay or fail writes. */
  writeChunk?: ChunkWriter;
}

export interface HistorySettings {
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

/** An open file, where appending goes on, and what it holds. */
export interface OpenedHistory {
  handle: FileHandle;
  /** Where its last whole line ends. */
  size: number;
  /** Lines after the header. */
  eventLines: number;
  restored: RestoredHistory;
}

const HISTORY_FILE_NAME = 'history.jsonl';

/** A short random base36 name for a new seq space, e.g. 'k3x9q0'. */
export function newEpoch(): string {
  return randomInt(36 ** 5, 36 ** 6).toString(36);
}

/** Restores the history from `<dir>/history.jsonl`, or starts a new one. Rejects only if the dir or file is unusable. */
export async function openHistory(settings: HistorySettings): Promise<OpenedHistory> {
  const { dir, path } = settings;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(`history: cannot use the data dir ${dir}: ${describe(error)}`, { cause: error });
  }
  try {
    return (await restore(settings)) ?? (await start(settings));
  } catch (error) {
    throw new Error(`history: cannot use ${path}: ${describe(error)}`, { cause: error });
  }
}

/** Continues the history in an existing file; null when there is none worth continuing. */
async function restore(settings: HistorySettings): Promise<OpenedHistory | null> {
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
    return start(settings, scan.events);
  }
  log.info(`history: restored epoch ${scan.epoch} up to seq ${scan.lastSeq} from ${path}`);
  return {
    handle,
    size: scan.wholeBytes,
    eventLines: scan.eventLines,
    restored: { epoch: scan.epoch, lastSeq: scan.lastSeq, events: scan.events, fresh: false },
  };
}

/**
 * Starts a new epoch in a new file, holding `events` (what was trusted of a damaged file):
 * its seqs go on after them, but under a new name, since events after the damage may have
 * reached clients under the same seqs.
 */
async function start(settings: HistorySettings, events: PublicEvent[] = []): Promise<OpenedHistory> {
  const epoch = newEpoch();
  const lastSeq = events.at(-1)?.seq ?? 0;
  const snapshot = await writeSnapshot(settings.path, epoch, events, settings.writeChunk);
  settings.log.info(`history: new epoch ${epoch} in ${settings.path}`);
  return {
    handle: snapshot.handle,
    size: snapshot.size,
    eventLines: events.length,
    restored: { epoch, lastSeq, events, fresh: true },
  };
}

export function resolveSettings(options: HistoryFileOptions): HistorySettings {
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

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
