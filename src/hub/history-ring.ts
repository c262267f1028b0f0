/**
 * The last `capacity` public events as wire lines, kept in the chunks they came in: the hub keeps
 * one (to seed a new worker), and so does every worker (to answer HISTORY itself). A worker gets
 * the hub's broadcasts joined, many lines to a text, and keeps each text whole: nothing is split
 * per event on the hot path; `read` cuts out what a HISTORY reply needs, piece by piece.
 *
 * A chunk holds the events `first`..`last`, one line each, with no seq missing. Between chunks
 * seqs may jump (a restored history may have holes where a damaged line was skipped), so lookups
 * go by seq, not by position.
 */
import { checkPositiveInteger } from '../option-checks.js';

interface Chunk {
  text: string;
  first: number;
  last: number;
}

/** Lines cut from the ring: `count` events from seq `first` on, and the seq to ask for next. */
export interface HistoryPiece {
  text: string;
  count: number;
  first: number;
  next: number;
}

const LF = '\n';

export class HistoryRing {
  readonly capacity: number;
  #chunks: Chunk[] = [];
  /** Chunks before this index are evicted (dropping them one by one would be quadratic). */
  #head = 0;
  /** Events in the chunks kept; the oldest chunk may hold a few more than `capacity` allows. */
  #count = 0;

  constructor(capacity: number) {
    this.capacity = checkPositiveInteger('capacity', capacity);
  }

  /** Events retained (at most `capacity`). */
  get size(): number {
    return Math.min(this.#count, this.capacity);
  }

  /** The newest seq, 0 when empty. */
  get newestSeq(): number {
    return this.#chunks.at(-1)?.last ?? 0;
  }

  /** Appends `text`, the lines of the events `first`..`last` (seqs above every one kept). */
  append(text: string, first: number, last: number): void {
    this.#chunks.push({ text, first, last });
    this.#count += last - first + 1;
    for (let oldest = this.#oldest(); oldest !== undefined; oldest = this.#oldest()) {
      const size = oldest.last - oldest.first + 1;
      if (this.#count - size < this.capacity) break;
      this.#count -= size;
      this.#head++;
    }
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Appends one event's line. */
  push(seq: number, line: string): void {
    this.append(line, seq, seq);
  }

  /** The seq of the oldest event retained, or `newestSeq + 1` when empty. */
  get oldestSeq(): number {
    const oldest = this.#oldest();
    if (oldest === undefined) return 1;
    // Retained: the last `capacity` events; the oldest chunk's first lines may be beyond them.
    return oldest.first + Math.max(0, this.#count - this.capacity);
  }

  /** The seq of the first of the last `n` events retained (`newestSeq + 1` when `n` is 0). */
  firstOfLast(n: number): number {
    let left = Math.min(n, this.size);
    if (left === 0) return this.newestSeq + 1;
    for (let i = this.#chunks.length - 1; i >= this.#head; i--) {
      const chunk = this.#chunks[i];
      if (chunk === undefined) break;
      const size = chunk.last - chunk.first + 1;
      if (left <= size) return chunk.last - left + 1;
      left -= size;
    }
    return this.oldestSeq;
  }

  /**
   * The retained events from seq `from` (or the oldest retained after it) up to `to`: at most
   * about `budget` characters of them, but always at least one event when there is one. With
   * `contiguous`, the piece stops where seqs jump.
   */
  read(from: number, to: number, budget: number, contiguous = false): HistoryPiece {
    const start = Math.max(from, this.oldestSeq);
    let index = this.#chunkWith(start);
    const piece: HistoryPiece = { text: '', count: 0, first: start, next: start };
    for (let chunk = this.#chunks[index]; chunk !== undefined; chunk = this.#chunks[++index]) {
      const first = Math.max(piece.next, chunk.first);
      if (first > to || (contiguous && piece.count > 0 && first !== piece.next)) break;
      if (piece.count === 0) piece.first = first;
      const wanted = Math.min(chunk.last, to) - first + 1;
      const cut = cutLines(chunk.text, first - chunk.first, wanted, budget - piece.text.length, piece.count === 0);
      if (cut.count === 0) break;
      piece.text += cut.text;
      piece.count += cut.count;
      piece.next = first + cut.count;
      if (cut.count < wanted || piece.text.length >= budget) break;
    }
    if (piece.count === 0) piece.next = Math.max(piece.next, to + 1);
    return piece;
  }

  /** Every retained event, in pieces of about `budget` characters, each without a jump in seqs. */
  *pieces(budget: number): Generator<{ text: string; first: number; last: number }> {
    for (let next = this.oldestSeq; next <= this.newestSeq;) {
      const piece = this.read(next, this.newestSeq, budget, true);
      if (piece.count === 0) return;
      yield { text: piece.text, first: piece.first, last: piece.next - 1 };
      next = piece.next;
    }
  }

  #oldest(): Chunk | undefined {
    return this.#chunks[this.#head];
  }

  /** The index of the first kept chunk whose last seq is `seq` or above (the end when none). */
  #chunkWith(seq: number): number {
    let low = this.#head;
    let high = this.#chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#chunks[mid]?.last ?? Infinity) < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * From `text` (whole lines), skips `skip` lines and takes up to `wanted` more, stopping before
 * the one that would pass `room` characters (but taking one at least if `atLeastOne`).
 */
function cutLines(
  text: string,
  skip: number,
  wanted: number,
  room: number,
  atLeastOne: boolean,
): { text: string; count: number } {
  let start = 0;
  for (let i = 0; i < skip; i++) start = text.indexOf(LF, start) + 1;
  let end = start;
  let count = 0;
  while (count < wanted) {
    const lineEnd = text.indexOf(LF, end) + 1;
    if (lineEnd === 0) break;
    if (lineEnd - start > room && (count > 0 || !atLeastOne)) break;
    end = lineEnd;
    count++;
  }
  return { text: text.slice(start, end), count };
}
