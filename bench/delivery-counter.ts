/**
 * The receive path of a benchmark client, kept minimal so a load generator can absorb millions
 * of lines per second: lines are counted by their first byte (one `indexOf` per line, no strings).
 * Among the server's lines only `MSG` starts with `M` and only `JOIN` with `J`, so the first byte
 * is enough to tell a delivery from a reply or another event.
 */
import { nowMicros } from './clock.js';
import { readTimestamp, TIMESTAMP_MARK } from './payload.js';
import type { LatencyHistogram } from './stats.js';

const LF = 0x0a;
const FIRST_BYTE_MSG = 0x4d; // M
const FIRST_BYTE_JOIN = 0x4a; // J
const FIRST_BYTE_OK = 0x4f; // O
const FIRST_BYTE_ERROR = 0x45; // E
const FIRST_BYTE_WELCOME = 0x57; // W
const FIRST_BYTE_BYE = 0x42; // B

interface LineCounts {
  msgs: number;
  joins: number;
  /** `OK` replies: registration and, for senders, one per message. */
  oks: number;
  errors: number;
  welcomes: number;
  byes: number;
}

export class DeliveryCounter implements LineCounts {
  msgs = 0;
  joins = 0;
  oks = 0;
  errors = 0;
  welcomes = 0;
  byes = 0;
  /** Reads from the socket: deliveries per chunk tells how well the server joins its writes. */
  chunks = 0;
  /** When the last `MSG` arrived (µs, see clock.ts); read once per chunk, not per line. */
  lastMsgAtMicros = 0;
  #atLineStart = true;

  push(chunk: Buffer): void {
    this.chunks++;
    const before = this.msgs;
    let position = 0;
    while (position < chunk.length) {
      if (this.#atLineStart) this.count(chunk.readUInt8(position));
      const lf = chunk.indexOf(LF, position);
      if (lf === -1) {
        this.#atLineStart = false;
        break;
      }
      this.#atLineStart = true;
      position = lf + 1;
    }
    if (this.msgs !== before) this.lastMsgAtMicros = nowMicros();
  }

  protected count(firstByte: number): void {
    switch (firstByte) {
      case FIRST_BYTE_MSG:
        this.msgs++;
        break;
      case FIRST_BYTE_JOIN:
        this.joins++;
        break;
      case FIRST_BYTE_OK:
        this.oks++;
        break;
      case FIRST_BYTE_ERROR:
        this.errors++;
        break;
      case FIRST_BYTE_WELCOME:
        this.welcomes++;
        break;
      case FIRST_BYTE_BYE:
        this.byes++;
        break;
    }
  }
}

/**
 * A counter that also decodes the send time of every `MSG` it receives into a histogram: used by
 * a fixed few clients per load generator, so decoding costs stay off the common path. It keeps
 * the unfinished tail of a chunk, since a timestamp may straddle two chunks.
 */
class SampledDeliveryCounter extends DeliveryCounter {
  readonly #latencies: LatencyHistogram;
  #tail: Buffer | undefined;

  constructor(latencies: LatencyHistogram) {
    super();
    this.#latencies = latencies;
  }

  override push(chunk: Buffer): void {
    this.chunks++;
    const bytes = this.#tail === undefined ? chunk : Buffer.concat([this.#tail, chunk]);
    this.#tail = undefined;
    const receivedAt = nowMicros();
    let position = 0;
    while (position < bytes.length) {
      const lf = bytes.indexOf(LF, position);
      if (lf === -1) {
        // Copied: the socket may reuse the chunk's memory.
        this.#tail = Buffer.from(bytes.subarray(position));
        break;
      }
      const firstByte = bytes.readUInt8(position);
      this.count(firstByte);
      if (firstByte === FIRST_BYTE_MSG) {
        this.lastMsgAtMicros = receivedAt;
        const mark = bytes.indexOf(TIMESTAMP_MARK, position);
        const sentAt = mark === -1 || mark > lf ? -1 : readTimestamp(bytes, mark, lf);
        if (sentAt !== -1) this.#latencies.record(receivedAt - sentAt);
      }
      position = lf + 1;
    }
  }
}

export function createDeliveryCounter(latencies?: LatencyHistogram): DeliveryCounter {
  return latencies === undefined ? new DeliveryCounter() : new SampledDeliveryCounter(latencies);
}
