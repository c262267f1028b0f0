/**
 * How events and notices look on the console. Everything that came from the server goes through
 * `sanitize()` here, so no escape sequence from a (broken or hostile) server reaches the terminal.
 *
 *   [12:01:02] <bob> hello                   public message
 *   [12:01:02] --> bob joined                join (dimmed)
 *   [12:01:02] <-- bob left (quit: bye)      leave (dimmed)
 *   [12:01:02] * bob is now known as rob     a nick change: its LEAVE (dimmed; the JOIN after it is not shown)
 *   [12:01:02] !!! text                      announcement
 *   [12:01:02] *bob* text                    DM received
 *   [12:01:02] -> *bob* text                 DM sent
 *   * text                                   client status
 *   ! text (CODE)                            error
 */
import { nickChangedTo } from '../protocol/nick.js';
import { sanitize } from '../protocol/text.js';
import type { PublicEvent } from '../protocol/wire.js';
import { ChatClientError, ServerReplyError } from './errors.js';
import type { DirectMessage } from './events.js';
import type { Style } from './style.js';

/** Local wall-clock time of an ISO timestamp, `HH:MM:SS`; `--:--:--` if it does not parse. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function displayPublicEvent(event: PublicEvent, style: Style): string {
  const time = `[${formatTime(event.time)}]`;
  const nick = sanitize(event.nick);
  const text = sanitize(event.text);
  switch (event.type) {
    case 'MSG':
      return `${time} ${style.nick(nick, `<${nick}>`)} ${text}`;
    case 'JOIN':
      return style.dim(`${time} --> ${nick} joined`);
    case 'LEAVE': {
      const to = nickChangedTo(event.text);
      if (to !== undefined) return style.dim(`${time} * ${nick} is now known as ${to}`);
      return style.dim(`${time} <-- ${nick} left${text === '' ? '' : ` (${text})`}`);
    }
    case 'ANNOUNCE':
      return `${time} ${style.announce(`!!! ${text}`)}`;
  }
}

export function displayReceivedDm(dm: DirectMessage, style: Style): string {
  const from = sanitize(dm.from);
  return `[${formatTime(dm.time)}] ${style.dm(`*${from}*`)} ${sanitize(dm.text)}`;
}

export function displaySentDm(to: string, text: string, time: Date, style: Style): string {
  return `[${formatTime(time.toISOString())}] ${style.dm(`-> *${sanitize(to)}*`)} ${sanitize(text)}`;
}

export function displayStatus(text: string, style: Style): string {
  return style.dim(`* ${sanitize(text)}`);
}

/** One readable line for any error: the server's text with its code, or the client's message. */
export function displayError(error: unknown, style: Style): string {
  if (error instanceof ServerReplyError) return style.error(`! ${sanitize(error.message)} (${sanitize(error.code)})`);
  if (error instanceof ChatClientError) return style.error(`! ${sanitize(error.message)}`);
  return style.error(`! ${sanitize(error instanceof Error ? error.message : String(error))}`);
}
