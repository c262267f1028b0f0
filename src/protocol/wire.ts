/**
 * The lines the server sends, as text: formatting (server side) and parsing (client side, tests,
 * benchmark). Every formatted line ends in LF.
 */
import { ERROR_TEXT, type ErrorCode } from './error-codes.js';
import { splitAtFirstSpace } from './text.js';

export const PROTOCOL_NAME = 'chat/1';

export type PublicEventType = 'MSG' | 'JOIN' | 'LEAVE' | 'ANNOUNCE';

/** A public event as the primary sequences it; `text` is the message, the reason or the announcement. */
export interface PublicEvent {
  type: PublicEventType;
  seq: number;
  time: string;
  nick: string;
  text: string;
}

export function formatPublicEvent(event: PublicEvent): string {
  switch (event.type) {
    case 'MSG':
      return `MSG ${event.seq} ${event.time} ${event.nick} ${event.text}\n`;
    case 'JOIN':
      return `JOIN ${event.seq} ${event.time} ${event.nick}\n`;
    case 'LEAVE':
      return `LEAVE ${event.seq} ${event.time} ${event.nick} ${event.text}\n`;
    case 'ANNOUNCE':
      return `ANNOUNCE ${event.seq} ${event.time} ${event.text}\n`;
  }
}

export function formatWelcome(workerId: number, lastSeq: number, epoch: string): string {
  return `WELCOME ${PROTOCOL_NAME} ${workerId} ${lastSeq} ${epoch}\n`;
}

export function formatDm(time: string, from: string, text: string): string {
  return `DM ${time} ${from} ${text}\n`;
}

export function formatPing(token: string): string {
  return `PING ${token}\n`;
}

export function formatBye(reason: string): string {
  return `BYE ${reason}\n`;
}

export function formatOk(data?: string | number): string {
  return data === undefined || data === '' ? 'OK\n' : `OK ${data}\n`;
}

/** An `ERROR` line; the text defaults to the code's own (`ERROR_TEXT`). */
export function formatError(code: ErrorCode, text: string = ERROR_TEXT[code]): string {
  return `ERROR ${code} ${text}\n`;
}

/** What a client can receive: a reply to its oldest outstanding command, or an event. */
export type ServerLine =
  | { kind: 'ok'; data: string }
  | { kind: 'error'; code: string; text: string }
  | { kind: 'welcome'; protocol: string; workerId: number; lastSeq: number; epoch: string }
  | { kind: 'public'; event: PublicEvent }
  | { kind: 'dm'; time: string; from: string; text: string }
  | { kind: 'ping'; token: string }
  | { kind: 'bye'; reason: string }
  | { kind: 'unknown'; line: string };

/** Parses one line from the server (without its LF). Never throws: unknown lines are reported. */
export function parseServerLine(line: string): ServerLine {
  const [word, rest] = splitAtFirstSpace(line);
  switch (word) {
    case 'OK':
      return { kind: 'ok', data: rest };
    case 'ERROR': {
      const [code, text] = splitAtFirstSpace(rest);
      return { kind: 'error', code, text };
    }
    case 'WELCOME': {
      const [protocol, workerId, lastSeq, epoch] = rest.split(' ');
      if (protocol === undefined || epoch === undefined) break;
      return { kind: 'welcome', protocol, workerId: Number(workerId), lastSeq: Number(lastSeq), epoch };
    }
    case 'MSG':
    case 'LEAVE': {
      const [seq, afterSeq] = splitAtFirstSpace(rest);
      const [time, afterTime] = splitAtFirstSpace(afterSeq);
      const [nick, text] = splitAtFirstSpace(afterTime);
      if (!isSeq(seq) || nick === '') break;
      return { kind: 'public', event: { type: word, seq: Number(seq), time, nick, text } };
    }
    case 'JOIN': {
      const [seq, afterSeq] = splitAtFirstSpace(rest);
      const [time, nick] = splitAtFirstSpace(afterSeq);
      if (!isSeq(seq) || nick === '') break;
      return { kind: 'public', event: { type: 'JOIN', seq: Number(seq), time, nick, text: '' } };
    }
    case 'ANNOUNCE': {
      const [seq, afterSeq] = splitAtFirstSpace(rest);
      const [time, text] = splitAtFirstSpace(afterSeq);
      if (!isSeq(seq)) break;
      return { kind: 'public', event: { type: 'ANNOUNCE', seq: Number(seq), time, nick: '', text } };
    }
    case 'DM': {
      const [time, afterTime] = splitAtFirstSpace(rest);
      const [from, text] = splitAtFirstSpace(afterTime);
      return { kind: 'dm', time, from, text };
    }
    case 'PING':
      return { kind: 'ping', token: rest };
    case 'BYE':
      return { kind: 'bye', reason: rest };
  }
  return { kind: 'unknown', line };
}

/** True for lines that answer a command; everything else is an event. */
export function isReply(line: string): boolean {
  return line === 'OK' || line.startsWith('OK ') || line.startsWith('ERROR ');
}

function isSeq(text: string): boolean {
  return /^[0-9]+$/.test(text);
}
