/**
 * Keeps every IPC message under `MAX_MESSAGE_CHARS` of text: a batch is cut into several
 * messages, and a reply longer than the bound (USERS on a very large server) into parts. One
 * multi-megabyte JSON string per message is what made `JSON.stringify` throw and take the
 * primary down when a worker's clients asked for much at once.
 */
import { MAX_MESSAGE_CHARS, type Delivery } from './messages.js';

/** The text an item carries, which is what makes a message large. */
type Sized = { text: string } | object;

function textLength(item: Sized): number {
  return 'text' in item && typeof item.text === 'string' ? item.text.length : 0;
}

/** Cuts `items` into runs whose texts add up to at most `max` characters (one item at least). */
export function cutBatch<T extends Sized>(items: readonly T[], max = MAX_MESSAGE_CHARS): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let size = 0;
  for (const item of items) {
    const length = textLength(item);
    if (run.length > 0 && size + length > max) {
      runs.push(run);
      run = [];
      size = 0;
    }
    run.push(item);
    size += length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** A reply longer than `max` as parts: all but the last marked `more`; other deliveries as they are. */
export function cutReply(delivery: Delivery, max = MAX_MESSAGE_CHARS): Delivery[] {
  if (delivery.type !== 'reply' || delivery.text.length <= max) return [delivery];
  const parts: Delivery[] = [];
  for (let start = 0; start < delivery.text.length; start += max) {
    const text = delivery.text.slice(start, start + max);
    const more = start + max < delivery.text.length;
    parts.push(more ? { ...delivery, text, more } : { ...delivery, text });
  }
  return parts;
}
