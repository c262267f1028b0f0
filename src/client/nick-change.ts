/**
 * A `NICK` reaches every client as two public events in a row, `LEAVE <seq> … <old> nick changed
 * to <new>` and `JOIN <seq+1> … <new>`, so chat/1 clients that know nothing of it keep a gap-free
 * stream. Clients that know it show the pair as one line: the LEAVE says it all
 * (`format.ts`), and the JOIN right after it is not shown again.
 */
import { nickChangedTo } from '../protocol/nick.js';
import type { PublicEvent } from '../protocol/wire.js';

/** True for the JOIN that completes the nick change told by `previous`. */
export function completesNickChange(previous: PublicEvent | undefined, event: PublicEvent): boolean {
  return (
    previous !== undefined &&
    previous.type === 'LEAVE' &&
    event.type === 'JOIN' &&
    event.seq === previous.seq + 1 &&
    nickChangedTo(previous.text) === event.nick
  );
}
