/**
 * The history file's format, JSON Lines, and its tolerant reader.
 *
 * Also the whole-file operations on it: the tolerant reader and the atomic snapshot writer.
 *
 * The first line is a header naming the seq space; every later line is one public event:
 *
 *   {"epoch":"k3x9q","version":1}
 *   {"seq":1,"time":"2026-11-24T11:09:21.123Z","type":"JOIN","nick":"alice","text":""}
 *   {"seq":2,"time":"2026-11-24T11:09:25.001Z","type":"MSG","nick":"alice","text":"hello, world"}
 *
 * The epoch lives in the header only: it never changes within a file (a new epoch means a new
 * file), and the file is only ever rewritten whole (creation, compaction) with its header first,
 * so one line carries it. Every line ends in LF; a line without one was torn by a crash.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';

export const FORMAT_VERSION = 1;

/** Longer lines are corrupt: even a line limit far above the 4096-byte default stays well below. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

const READ_CHUNK_BYTES = 256 * 1024;
const SNAPSHOT_CHUNK_CHARS = 1024 * 1024;
/** Skipped lines are each reported up to this many; beyond it, only their count. */
const MAX_LINE_WARNINGS = 10;
const LF = 0x0a;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EPOCH = /^[0-9a-z]{1,16}$/;
const EVENT_TYPES: readonly string[] = ['MSG', 'JOIN', 'LEAVE', 'ANNOUNCE'] satisfies PublicEventType[];

export type DecodedLine =
  { kind: 'header'; epoch: string } | { kind: 'event'; event: PublicEvent } | { kind: 'invalid'; reason: string };

export function encodeHeader(epoch: string): string {
  return `${JSON.stringify({ epoch, version: FORMAT_VERSION })}\n`;
}

export function encodeEvent(event: PublicEvent): string {
  const { seq, time, type, nick, text } = event;
  return `${JSON.stringify({ seq, time, type, nick, text })}\n`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one line without its LF. Never throws. */
export function decodeLine(bytes: Uint8Array): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: 'invalid', reason: 'not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  if ('epoch' in record) {
    const { epoch, version } = record;
    if (typeof epoch !== 'string' || !EPOCH.test(epoch)) return { kind: 'invalid', reason: 'bad epoch' };
    if (version !== FORMAT_VERSION) return { kind: 'invalid', reason: `unknown format version ${String(version)}` };
    return { kind: 'header', epoch };
  }
  const { seq, time, type, nick, text } = record;
  if (
    typeof seq === 'number' &&
    Number.isSafeInteger(seq) &&
    seq > 0 &&
    typeof time === 'string' &&
    ISO_TIME.test(time) &&
    typeof type === 'string' &&
    EVENT_TYPES.includes(type) &&
    typeof nick === 'string' &&
    typeof text === 'string'
  ) {
    return { kind: 'event', event: { seq, time, type: type as PublicEventType, nick, text } };
  }
  return { kind: 'invalid', reason: 'not an event record' };
}

export interface HistoryScan {
  /** null when the first line is no valid header: the file holds no usable history. */
  epoch: string | null;
  lastSeq: number;
  /** The last `retain` valid events, oldest first. */
  events: PublicEvent[];
  /** Lines after the header, valid or not: what compaction counts. */
  eventLines: number;
  /** Where the last complete line ends; bytes past it are a torn line. */
  wholeBytes: number;
  /** The file's size, or at least its size up to the first chunk without a header. */
  totalBytes: number;
}

/**
 * Reads a history file in chunks, keeping only the last `retain` events, so a large file costs
 * neither much memory nor a long block of the event loop. Skipped lines are logged, never fatal.
 */
export async function scanHistory(handle: FileHandle, retain: number, log: Logger, path: string): Promise<HistoryScan> {
  const scan: HistoryScan = { epoch: null, lastSeq: 0, events: [], eventLines: 0, wholeBytes: 0, totalBytes: 0 };
  let lineNumber = 0;
  let skipped = 0;
  const skip = (reason: string) => {
    skipped++;
    if (skipped <= MAX_LINE_WARNINGS) log.warn(`history: skipping line ${lineNumber} of ${path}: ${reason}`);
  };
  /** Returns false once the file turns out to have no header: nothing after it can be trusted. */
  const takeLine = (line: Uint8Array | null): boolean => {
    lineNumber++;
    const decoded =
      line === null ? { kind: 'invalid' as const, reason: `longer than ${MAX_RECORD_BYTES} bytes` } : decodeLine(line);
    if (lineNumber === 1) {
      if (decoded.kind !== 'header') return false;
      scan.epoch = decoded.epoch;
      return true;
    }
    scan.eventLines++;
    if (decoded.kind === 'invalid') skip(decoded.reason);
    else if (decoded.kind === 'header') skip('a second header');
    else if (decoded.event.seq <= scan.lastSeq) skip(`seq ${decoded.event.seq} does not follow ${scan.lastSeq}`);
    else {
      scan.lastSeq = decoded.event.seq;
      scan.events.push(decoded.event);
      // Trimming at twice the size keeps the cost per event constant.
      if (scan.events.length >= 2 * retain) scan.events.splice(0, scan.events.length - retain);
    }
    return true;
  };

  const buffer = Buffer.alloc(READ_CHUNK_BYTES);
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let oversized = false;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, scan.totalBytes);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    let from = 0;
    for (let lf = chunk.indexOf(LF, from); lf !== -1; lf = chunk.indexOf(LF, from)) {
      const piece = chunk.subarray(from, lf);
      const tooLong = oversized || partialBytes + piece.length > MAX_RECORD_BYTES;
      const line = tooLong ? null : partialBytes > 0 ? Buffer.concat([...partial, piece]) : piece;
      partial = [];
      partialBytes = 0;
      oversized = false;
      scan.wholeBytes = scan.totalBytes + lf + 1;
      if (!takeLine(line)) {
        scan.totalBytes += bytesRead;
        return scan;
      }
      from = lf + 1;
    }
    const rest = chunk.subarray(from);
    if (oversized || partialBytes + rest.length > MAX_RECORD_BYTES) {
      oversized = true;
      partial = [];
      partialBytes = 0;
    } else if (rest.length > 0) {
      // The read buffer is reused, so a line spanning chunks keeps a copy of its start.
      partial.push(Buffer.from(rest));
      partialBytes += rest.length;
    }
    scan.totalBytes += bytesRead;
  }
  if (skipped > MAX_LINE_WARNINGS) log.warn(`history: skipped ${skipped} lines of ${path} in all`);
  scan.events = scan.events.slice(-retain);
  return scan;
}

/** Performs one positional write and returns how many bytes it wrote. */
export type ChunkWriter = (handle: FileHandle, chunk: Buffer, position: number) => Promise<number>;

export const writeToHandle: ChunkWriter = async (handle, chunk, position) =>
  (await handle.write(chunk, 0, chunk.length, position)).bytesWritten;

export async function writeAll(
  writeChunk: ChunkWriter,
  handle: FileHandle,
  data: Buffer,
  position: number,
): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const written = await writeChunk(handle, data.subarray(offset), position + offset);
    if (written <= 0) throw new Error(`wrote ${written} bytes`);
    offset += written;
  }
}

/**
 * Writes `path` anew with the header and `events`, atomically: into a temp file, fsynced, then
 * renamed over `path`. Returns the new file's handle, open for appending at `size`.
 */
export async function writeSnapshot(
  path: string,
  epoch: string,
  events: PublicEvent[],
  writeChunk: ChunkWriter,
): Promise<{ handle: FileHandle; size: number }> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  let size = 0;
  try {
    let text = encodeHeader(epoch);
    for (const event of events) {
      text += encodeEvent(event);
      if (text.length >= SNAPSHOT_CHUNK_CHARS) {
        const chunk = Buffer.from(text);
        await writeAll(writeChunk, handle, chunk, size);
        size += chunk.length;
        text = '';
      }
    }
    const chunk = Buffer.from(text);
    await writeAll(writeChunk, handle, chunk, size);
    size += chunk.length;
    // Without the fsync a power loss could leave the rename done but the data not.
    await handle.datasync();
    await rename(temporary, path);
  } catch (error) {
    // The original error is the one worth reporting; the cleanup is best effort.
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
  return { handle, size };
}

/** Makes a rename durable. Best effort: not every platform can open or fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
