/**
 * What a line typed by the user means: plain text is a public message, `/verb …` a command.
 * `//text` sends `/text` as a message, for the rare line that must start with a slash.
 */
import { isValidNick, NICK_RULE } from '../protocol/nick.js';
import { splitAtFirstSpace } from '../protocol/text.js';

/** The commands in the order `/help` lists them and `parseInput` reads them. */
export type InputCommand =
  | { kind: 'message'; text: string }
  | { kind: 'dm'; nick: string; text: string }
  | { kind: 'nick'; nick: string }
  | { kind: 'users' }
  | { kind: 'history'; count: number }
  | { kind: 'auth'; token: string }
  | { kind: 'announce'; text: string }
  | { kind: 'kick'; nick: string; reason: string }
  | { kind: 'quit'; reason: string }
  | { kind: 'help' }
  | { kind: 'empty' }
  /** Nothing is sent; `hint` tells the user why and what to type instead. */
  | { kind: 'invalid'; hint: string };

export const DEFAULT_HISTORY_COUNT = 20;
const MAX_HISTORY_COUNT = 1_000_000;

export const HELP_LINES: readonly string[] = [
  'text                   send a public message (//text sends "/text")',
  '/msg <nick> <text>     send a private message',
  '/nick <nick>           take another nick (everyone is told)',
  '/users                 list who is online',
  `/history [n]           replay the last n public events (default ${DEFAULT_HISTORY_COUNT})`,
  '/auth <token>          become an operator',
  '/announce <text>       operator broadcast',
  '/kick <nick> [reason]  operator: disconnect a user',
  '/quit [reason]         leave the chat',
  '/help                  this list',
];

export function parseInput(line: string): InputCommand {
  if (line.trim() === '') return { kind: 'empty' };
  if (line.startsWith('//')) return { kind: 'message', text: line.slice(1) };
  if (!line.startsWith('/')) return { kind: 'message', text: line };
  const [word, rest] = splitAtFirstSpace(line.slice(1).trimStart());
  switch (word.toLowerCase()) {
    case 'msg': {
      const [nick, text] = splitAtFirstSpace(rest.trimStart());
      if (nick === '' || text.trim() === '') return invalid('usage: /msg <nick> <text>');
      if (!isValidNick(nick)) return invalid(`not a nick: ${nick.slice(0, 32)}`);
      return { kind: 'dm', nick, text };
    }
    case 'nick': {
      const nick = rest.trim();
      if (nick === '') return invalid('usage: /nick <nick>');
      if (!isValidNick(nick)) return invalid(`not a nick: ${nick.slice(0, 32)} (a nick is ${NICK_RULE})`);
      return { kind: 'nick', nick };
    }
    case 'users':
      return { kind: 'users' };
    case 'history': {
      const count = rest.trim();
      if (count === '') return { kind: 'history', count: DEFAULT_HISTORY_COUNT };
      if (!/^[0-9]{1,7}$/.test(count) || Number(count) > MAX_HISTORY_COUNT)
        return invalid('usage: /history [n], n a whole number');
      return { kind: 'history', count: Number(count) };
    }
    case 'auth':
      if (rest.trim() === '') return invalid('usage: /auth <token>');
      return { kind: 'auth', token: rest.trim() };
    case 'announce':
      if (rest.trim() === '') return invalid('usage: /announce <text>');
      return { kind: 'announce', text: rest };
    case 'kick': {
      const [nick, reason] = splitAtFirstSpace(rest.trimStart());
      if (nick === '') return invalid('usage: /kick <nick> [reason]');
      if (!isValidNick(nick)) return invalid(`not a nick: ${nick.slice(0, 32)}`);
      return { kind: 'kick', nick, reason: reason.trim() };
    }
    case 'quit':
      return { kind: 'quit', reason: rest.trim() };
    case 'help':
      return { kind: 'help' };
    default:
      return invalid(`unknown command /${word.slice(0, 32)} (try /help)`);
  }
}

function invalid(hint: string): InputCommand {
  return { kind: 'invalid', hint };
}
