/**
 * The reply to `HISTORY <n>` or `HISTORY SINCE <seq>`, answered by the worker from its own ring of
 * the last `--history` public events. Which events it holds is decided when it reaches the head
 * of the connection's replies (so `MSG x` then `HISTORY 1` replays that MSG), and its lines are
 * cut from the ring piece by piece, only while the connection takes them: a client asking for
 * 1000 events of 4 KiB and reading nothing costs the worker one piece beyond the session's soft
 * limit, not 4 MB per request.
 */
import type { HistoryRing } from '../hub/history-ring.js';
import { formatOk } from '../protocol/wire.js';
import type { StreamedReply } from './reply-queue.js';

/** How much of the ring one piece carries, in characters. */
const PIECE_CHARS = 16 * 1024;

export type HistoryRequest = { last: number } | { since: number };

export class HistoryReply implements StreamedReply {
  readonly #ring: HistoryRing;
  readonly #request: HistoryRequest;
  /** The next seq to send and the last one, once the reply has started. */
  #range: { next: number; to: number } | undefined;
  #count = 0;

  constructor(ring: HistoryRing, request: HistoryRequest) {
    this.#ring = ring;
    this.#request = request;
  }

  pump(write: (text: string) => void, room: () => boolean): boolean {
    const range = (this.#range ??= this.#start());
    while (range.next <= range.to && room()) {
      // Events that fell out of the ring while we waited are no longer retained: skipped.
      const piece = this.#ring.read(range.next, range.to, PIECE_CHARS);
      if (piece.count > 0) write(piece.text);
      this.#count += piece.count;
      range.next = piece.next;
    }
    if (range.next <= range.to) return false;
    write(formatOk(this.#count));
    return true;
  }

  #start(): { next: number; to: number } {
    const ring = this.#ring;
    const next = 'last' in this.#request ? ring.firstOfLast(this.#request.last) : this.#request.since + 1;
    return { next, to: ring.newestSeq };
  }
}
