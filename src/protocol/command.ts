import { ERROR_TEXT, type ErrorCode } from './error-codes.js';
import { isValidNick } from './nick.js';
import { splitAtFirstSpace } from './text.js';

/** A client command, parsed and checked for form (not for permission or state). */
export type Command =
  | { verb: 'REGISTER'; nick: string }
  /** An extension of chat/1: a registered user takes another nick. */
  | { verb: 'NICK'; nick: string }
  | { verb: 'MSG'; text: string }
  | { verb: 'DM'; nick: string; text: string }
  | { verb: 'USERS' }
  | { verb: 'HISTORY'; last: number }
  | { verb: 'HISTORY'; since: number }
  | { verb: 'PING'; token: string }
  | { verb: 'PONG' }
  | { verb: 'AUTH'; token: string }
  | { verb: 'ANNOUNCE'; text: string }
  | { verb: 'KICK'; nick: string; reason: string }
  | { verb: 'HELP' }
  | { verb: 'QUIT'; reason: string };

export type Verb = Command['verb'];

export const VERBS: readonly Verb[] = [
  'REGISTER',
  'MSG',
  'DM',
  'USERS',
  'HISTORY',
  'PING',
  'PONG',
  'AUTH',
  'ANNOUNCE',
  'KICK',
  'HELP',
  'QUIT',
  'NICK',
];

/** Verbs that need `REGISTER` first. */
export const NEEDS_REGISTRATION: ReadonlySet<Verb> = new Set(['MSG', 'DM', 'ANNOUNCE', 'KICK', 'NICK']);
/** Verbs that need `AUTH` first. */
export const NEEDS_OPERATOR: ReadonlySet<Verb> = new Set(['ANNOUNCE', 'KICK']);

interface CommandError {
  /** The verb, when it is a known one: the session still checks registration before the error. */
  verb: Verb | undefined;
  code: ErrorCode;
  text: string;
}

export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: CommandError };

const VERB_SET: ReadonlySet<string> = new Set(VERBS);
const DIGITS = /^[0-9]{1,15}$/;

/**
 * Splits `VERB args` at the first space; the verb is case-insensitive in ASCII only (`toUpperCase`
 * alone would make `pıng` PING and `uſers` USERS: U+0131 and U+017F upper-case to I and S).
 */
export function splitVerb(line: string): { verb: string; args: string } {
  const [verb, args] = splitAtFirstSpace(line.trimStart());
  return { verb: asciiUpperCase(verb), args };
}

function asciiUpperCase(word: string): string {
  return word.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

function isKnownVerb(verb: string): verb is Verb {
  return VERB_SET.has(verb);
}

export function parseCommand(line: string): ParsedCommand {
  const { verb, args } = splitVerb(line);
  if (!isKnownVerb(verb)) {
    return fail(undefined, 'UNKNOWN_COMMAND', `unknown command ${JSON.stringify(verb.slice(0, 32))}, try HELP`);
  }
  const trimmed = args.trim();
  switch (verb) {
    case 'REGISTER':
    case 'NICK':
      if (trimmed === '') return fail(verb, 'BAD_ARGS', `usage: ${verb} <nick>`);
      if (!isValidNick(trimmed)) return fail(verb, 'BAD_NICK');
      return ok({ verb, nick: trimmed });
    case 'MSG':
    case 'ANNOUNCE':
      if (trimmed === '') return fail(verb, 'EMPTY', `nothing to send: ${verb} <text>`);
      return ok({ verb, text: args });
    case 'DM': {
      const [first, rest] = splitAtFirstSpace(args.trimStart());
      if (first === '') return fail(verb, 'BAD_ARGS', 'usage: DM <nick> <text>');
      if (!isValidNick(first)) return fail(verb, 'NO_SUCH_NICK', `no such nick ${JSON.stringify(first.slice(0, 32))}`);
      if (rest.trim() === '') return fail(verb, 'EMPTY', 'nothing to send: DM <nick> <text>');
      return ok({ verb, nick: first, text: rest });
    }
    case 'HISTORY':
      return parseHistory(args);
    case 'KICK': {
      const [first, rest] = splitAtFirstSpace(args.trimStart());
      if (first === '') return fail(verb, 'BAD_ARGS', 'usage: KICK <nick> [reason]');
      if (!isValidNick(first)) return fail(verb, 'NO_SUCH_NICK', `no such nick ${JSON.stringify(first.slice(0, 32))}`);
      return ok({ verb, nick: first, reason: rest.trim() });
    }
    case 'AUTH':
      if (trimmed === '') return fail(verb, 'BAD_ARGS', 'usage: AUTH <token>');
      return ok({ verb, token: trimmed });
    case 'PING':
      return ok({ verb, token: trimmed });
    case 'QUIT':
      return ok({ verb, reason: trimmed });
    case 'USERS':
    case 'HELP':
    case 'PONG':
      if (verb !== 'PONG' && trimmed !== '') return fail(verb, 'BAD_ARGS', `${verb} takes no arguments`);
      return ok({ verb });
  }
}

function parseHistory(args: string): ParsedCommand {
  const [first = '', second, ...more] = args.trim().split(/ +/);
  const usage = 'usage: HISTORY <n> or HISTORY SINCE <seq>';
  if (second === undefined && DIGITS.test(first)) return ok({ verb: 'HISTORY', last: Number(first) });
  if (second !== undefined && more.length === 0 && asciiUpperCase(first) === 'SINCE' && DIGITS.test(second)) {
    return ok({ verb: 'HISTORY', since: Number(second) });
  }
  return fail('HISTORY', 'BAD_ARGS', usage);
}

function ok(command: Command): ParsedCommand {
  return { ok: true, command };
}

function fail(verb: Verb | undefined, code: ErrorCode, text: string = ERROR_TEXT[code]): ParsedCommand {
  return { ok: false, error: { verb, code, text } };
}
