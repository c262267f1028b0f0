/**
 * The stream, as the `role="log"` element shows it: one line per public event, DM, status or
 * error, each kind with its own look. Everything from the server is set as text, never as
 * markup. The log keeps its last `MAX_LINES` lines, and follows new lines only while the reader
 * is at the bottom.
 */
import type { DirectMessage } from '../client/events.js';
import { formatTime } from '../client/format.js';
import { completesNickChange } from '../client/nick-change.js';
import { nickChangedTo, nickKey } from '../protocol/nick.js';
import { sanitize } from '../protocol/text.js';
import type { PublicEvent } from '../protocol/wire.js';
import { element, nickElement } from './dom.js';

const MAX_LINES = 1000;

export class ChatLog {
  readonly #container: HTMLElement;
  readonly #ownNick: () => string;
  /** The public event shown last: a nick change's JOIN, right after its LEAVE, is not shown again. */
  #previous: PublicEvent | undefined;

  constructor(container: HTMLElement, ownNick: () => string) {
    this.#container = container;
    this.#ownNick = ownNick;
  }

  event(event: PublicEvent): void {
    const previous = this.#previous;
    this.#previous = event;
    const shown = this.#show(event, previous);
    if (shown !== undefined) this.#add(shown[0], event.time, shown[1], event.seq);
  }

  /** The class and the parts of an event's line; undefined when it is not shown. */
  #show(event: PublicEvent, previous: PublicEvent | undefined): [string, HTMLElement[]] | undefined {
    switch (event.type) {
      case 'MSG': {
        const own = nickKey(event.nick) === nickKey(this.#ownNick());
        return [`line msg${own ? ' own' : ''}`, [nick(event.nick), text(` ${event.text}`)]];
      }
      case 'JOIN':
        if (completesNickChange(previous, event)) return undefined;
        return ['line joined', [text('→ '), nick(event.nick), text(' joined')]];
      case 'LEAVE': {
        const to = nickChangedTo(event.text);
        if (to !== undefined) return ['line rename', [nick(event.nick), text(' is now known as '), nick(to)]];
        const why = event.text === '' ? '' : ` (${event.text})`;
        return ['line left', [text('← '), nick(event.nick), text(` left${why}`)]];
      }
      case 'ANNOUNCE':
        return ['line announce', [element('strong', 'label', 'announcement '), text(event.text)]];
    }
  }

  dmReceived(dm: DirectMessage): void {
    this.#add('line dm', dm.time, [text('✉ from '), nick(dm.from), text(` ${dm.text}`)]);
  }

  dmSent(to: string, message: string, time: Date): void {
    this.#add('line dm sent', time.toISOString(), [text('✉ to '), nick(to), text(` ${message}`)]);
  }

  /** Something the client says about itself (connected, replayed, the reply to /users). */
  status(message: string): void {
    this.#add('line status', undefined, [text(message)]);
  }

  error(message: string): void {
    this.#add('line error', undefined, [text(message)]);
  }

  /** Appends a line; a public event's carries its seq (`data-seq`). */
  #add(className: string, time: string | undefined, parts: readonly HTMLElement[], seq?: number): void {
    const container = this.#container;
    const following = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
    const line = element('div', className);
    if (seq !== undefined) line.dataset.seq = String(seq);
    if (time !== undefined) line.append(element('time', 'time', formatTime(time)));
    line.append(...parts);
    container.append(line);
    while (container.childElementCount > MAX_LINES) container.firstElementChild?.remove();
    if (following) container.scrollTop = container.scrollHeight;
  }
}

function nick(name: string): HTMLElement {
  return nickElement('span', name);
}

function text(content: string): HTMLElement {
  return element('span', 'text', sanitize(content));
}
