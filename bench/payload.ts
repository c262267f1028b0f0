/**
 * The text of every benchmark message: `@<send time in µs>;` padded with `x` to the requested
 * size, so a sampled receiver can compute the end-to-end latency from the message alone.
 */
export const TIMESTAMP_MARK = 0x40; // '@'
const TIMESTAMP_END = 0x3b; // ';'
/** `@` + up to 16 digits + `;`: what a payload needs before any padding. */
export const MIN_PAYLOAD_BYTES = 18;

export function makePayload(sentAtMicros: number, size: number): string {
  const head = `@${sentAtMicros};`;
  return head.length >= size ? head : head + 'x'.repeat(size - head.length);
}

/** The send time in a payload found at `from` in `bytes` (at its `@`), or -1 if there is none. */
export function readTimestamp(bytes: Buffer, from: number, end: number): number {
  if (bytes[from] !== TIMESTAMP_MARK) return -1;
  let value = 0;
  for (let i = from + 1; i < end; i++) {
    const byte = bytes.readUInt8(i);
    if (byte === TIMESTAMP_END) return i === from + 1 ? -1 : value;
    if (byte < 0x30 || byte > 0x39) return -1;
    value = value * 10 + (byte - 0x30);
  }
  return -1;
}

/** The same for a payload held as a string (Socket.IO hands the receiver decoded text). */
export function readTimestampFromText(text: string): number {
  if (text.charCodeAt(0) !== TIMESTAMP_MARK) return -1;
  const end = text.indexOf(';');
  if (end < 2) return -1;
  const value = Number(text.slice(1, end));
  return Number.isInteger(value) ? value : -1;
}
