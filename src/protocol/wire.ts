/**
 * The lines the server sends, as text: formatting (server side) and parsing (client side, tests,
 * benchmark). Every formatted line ends in LF.
 */
import type { ErrorCode } from './error-codes.js';

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

export function formatError(code: ErrorCode, text: string): string {
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
  const space = line.indexOf(' ');
  const word = space === -1 ? line : line.slice(0, space);
  const rest = space === -1 ? '' : line.slice(space + 1);
  switch (word) {
    case 'OK':
      return { kind: 'ok', data: rest };
    case 'ERROR': {
      const [code, text] = cut(rest);
      return { kind: 'error', code, text };
    }
    case 'WELCOME': {
      const [protocol, workerId, lastSeq, epoch] = rest.split(' ');
      if (protocol === undefined || epoch === undefined) break;
      return { kind: 'welcome', protocol, workerId: Number(workerId), lastSeq: Number(lastSeq), epoch };
    }
    case 'MSG':
    case 'LEAVE': {
      const [seq, afterSeq] = cut(rest);
      const [time, afterTime] = cut(afterSeq);
      const [nick, text] = cut(afterTime);
      if (!isSeq(seq) || nick === '') break;
      return { kind: 'public', event: { type: word, seq: Number(seq), time, nick, text } };
    }
    case 'JOIN': {
      const [seq, afterSeq] = cut(rest);
      const [time, nick] = cut(afterSeq);
      if (!isSeq(seq) || nick === '') break;
      return { kind: 'public', event: { type: 'JOIN', seq: Number(seq), time, nick, text: '' } };
    }
    case 'ANNOUNCE': {
      const [seq, afterSeq] = cut(rest);
      const [time, text] = cut(afterSeq);
      if (!isSeq(seq)) break;
      return { kind: 'public', event: { type: 'ANNOUNCE', seq: Number(seq), time, nick: '', text } };
    }
    case 'DM': {
      const [time, afterTime] = cut(rest);
      const [from, text] = cut(afterTime);
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

function cut(text: string): [string, string] {
  const space = text.indexOf(' ');
  return space === -1 ? [text, ''] : [text.slice(0, space), text.slice(space + 1)];
}

function isSeq(text: string): boolean {
  return /^[0-9]+$/.test(text);
}
