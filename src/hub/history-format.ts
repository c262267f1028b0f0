/**
 * The history file's format, JSON Lines, and its tolerant reader (the writes are in
 * `history-write.ts`).
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
 *
 * Nothing read back is trusted more than a client: an event passes the checks a client's line
 * passes (nick rule, clean text, the line limit), and its seq must follow the one before it.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { isValidNick } from '../protocol/nick.js';
import { decodeLine } from '../protocol/decode-line.js';
import type { PublicEvent, PublicEventType } from '../protocol/wire.js';

const FORMAT_VERSION = 1;

/** Longer lines are corrupt: even a line limit far above the 4096-byte default stays well below. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * No real history reaches this seq (a million events a second for nine years); a file that does
 * was tampered with, and trusting it would overflow the seq counter's exact integers.
 */
const MAX_SEQ = 2 ** 48;

const READ_CHUNK_BYTES = 256 * 1024;
/** Skipped lines are each reported up to this many; beyond it, only their count. */
const MAX_LINE_WARNINGS = 10;
const LF = 0x0a;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EPOCH = /^[0-9a-z]{1,16}$/;
const EVENT_TYPES: readonly string[] = ['MSG', 'JOIN', 'LEAVE', 'ANNOUNCE'] satisfies PublicEventType[];

type DecodedRecord =
  { kind: 'header'; epoch: string } | { kind: 'event'; event: PublicEvent } | { kind: 'invalid'; reason: string };

export function encodeHeader(epoch: string): string {
  return `${JSON.stringify({ epoch, version: FORMAT_VERSION })}\n`;
}

export function encodeEvent(event: PublicEvent): string {
  const { seq, time, type, nick, text } = event;
  return `${JSON.stringify({ seq, time, type, nick, text })}\n`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one line without its LF; `maxText` is the longest text a client could have sent (the
 * server's line limit). Never throws.
 */
function decodeRecord(bytes: Uint8Array, maxText: number): DecodedRecord {
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
    typeof seq !== 'number' ||
    // Any integer, however large: one past MAX_SEQ is damage (the scan's verdict), not a line to skip.
    !Number.isInteger(seq) ||
    seq <= 0 ||
    typeof time !== 'string' ||
    !ISO_TIME.test(time) ||
    typeof type !== 'string' ||
    !EVENT_TYPES.includes(type) ||
    typeof nick !== 'string' ||
    typeof text !== 'string'
  ) {
    return { kind: 'invalid', reason: 'not an event record' };
  }
  const event: PublicEvent = { seq, time, type: type as PublicEventType, nick, text };
  const problem = eventProblem(event, maxText);
  return problem === undefined ? { kind: 'event', event } : { kind: 'invalid', reason: problem };
}

/** What makes an event one no client could have caused, if anything. */
function eventProblem({ type, nick, text }: PublicEvent, maxText: number): string | undefined {
  if (type === 'ANNOUNCE' ? nick !== '' : !isValidNick(nick)) return 'a nick no client could have';
  if (type === 'JOIN' ? text !== '' : type !== 'LEAVE' && text.trim() === '') return `a ${type} with bad text`;
  if (Buffer.byteLength(text) > maxText) return `text longer than the line limit (${maxText} bytes)`;
  if (!isClientText(text)) return 'text a client may not send (control characters)';
  return undefined;
}

/** The check a client's line passes, on text that came from JSON (which may hold lone surrogates). */
function isClientText(text: string): boolean {
  const decoded = decodeLine(Buffer.from(text));
  return decoded.ok && decoded.text === text;
}

export interface HistoryScan {
  /** null when the first line is no valid header: the file holds no usable history. */
  epoch: string | null;
  /** The last seq the file may have given: past the last valid event by the lines skipped after it. */
  lastSeq: number;
  /** The last `retain` valid events, oldest first (before the damage, if any). */
  events: PublicEvent[];
  /** Lines after the header, valid or not: what compaction counts. */
  eventLines: number;
  /** Where the last complete line ends; bytes past it are a torn line. */
  wholeBytes: number;
  /** The file's size, or at least its size up to where reading stopped. */
  totalBytes: number;
  /**
   * Why reading stopped early: a seq that cannot follow the one before it. Events after it may
   * have reached clients under seqs we cannot know, so the file's epoch can no longer be trusted.
   */
  damage: string | null;
}

/**
 * Reads a history file in chunks, keeping only the last `retain` events, so a large file costs
 * neither much memory nor a long block of the event loop. Lines that do not decode or fail the
 * checks are skipped with a warning; a seq that is impossible where it stands (not above the
 * one before, or past it by more than the lines skipped in between, or beyond `MAX_SEQ`) ends
 * the reading: the file is damaged from there on.
 */
export async function scanHistory(
  handle: FileHandle,
  retain: number,
  maxText: number,
  log: Logger,
  path: string,
): Promise<HistoryScan> {
  const scan: HistoryScan = {
    epoch: null,
    lastSeq: 0,
    events: [],
    eventLines: 0,
    wholeBytes: 0,
    totalBytes: 0,
    damage: null,
  };
  let lineNumber = 0;
  let skipped = 0;
  /** Lines skipped since the last valid event: the seqs they may have held. */
  let skippedSinceEvent = 0;
  const skip = (reason: string) => {
    skipped++;
    skippedSinceEvent++;
    if (skipped <= MAX_LINE_WARNINGS) log.warn(`history: skipping line ${lineNumber} of ${path}: ${reason}`);
  };
  /** Returns false when reading must stop: no header, or damage. */
  const takeLine = (line: Uint8Array | null): boolean => {
    lineNumber++;
    const decoded: DecodedRecord =
      line === null
        ? { kind: 'invalid', reason: `longer than ${MAX_RECORD_BYTES} bytes` }
        : decodeRecord(line, maxText);
    if (lineNumber === 1) {
      if (decoded.kind !== 'header') return false;
      scan.epoch = decoded.epoch;
      return true;
    }
    scan.eventLines++;
    if (decoded.kind === 'invalid') skip(decoded.reason);
    else if (decoded.kind === 'header') skip('a second header');
    else {
      const { seq } = decoded.event;
      const highest = scan.events.length === 0 ? MAX_SEQ : Math.min(MAX_SEQ, scan.lastSeq + 1 + skippedSinceEvent);
      if (seq <= scan.lastSeq || seq > highest) {
        scan.damage = `line ${lineNumber} holds seq ${seq}, impossible after seq ${scan.lastSeq}`;
        return false;
      }
      scan.lastSeq = seq;
      skippedSinceEvent = 0;
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
        scan.events = scan.events.slice(-retain);
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
  // The lines skipped after the last good event may have held the next seqs, and those may have
  // reached clients: they are never given again.
  scan.lastSeq = Math.min(MAX_SEQ, scan.lastSeq + skippedSinceEvent);
  scan.events = scan.events.slice(-retain);
  return scan;
}
