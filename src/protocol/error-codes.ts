import { NICK_RULE_TERSE } from './nick.js';

/**
 * Every error code the server may reply with, and the text that goes with it: the one source of
 * these texts (`formatError` uses it unless a reply says more, as `no such nick bob` does).
 */
export const ERROR_TEXT = {
  UNKNOWN_COMMAND: 'unknown command',
  BAD_ARGS: 'wrong arguments',
  TOO_LONG: 'line too long',
  BAD_ENCODING: 'line is not valid UTF-8',
  BAD_TEXT: 'control and invisible characters are not allowed',
  BAD_NICK: `nick must be ${NICK_RULE_TERSE}`,
  NICK_TAKEN: 'nick is taken',
  ALREADY_REGISTERED: 'you are already registered',
  NOT_REGISTERED: 'register first: REGISTER <nick>',
  NO_SUCH_NICK: 'no such nick',
  EMPTY: 'nothing to send',
  RATE_LIMITED: 'too many lines, slow down',
  AUTH_FAILED: 'authentication failed',
  FORBIDDEN: 'operators only: AUTH <token> first',
  UNAVAILABLE: 'the server cannot do that right now',
} as const;

export type ErrorCode = keyof typeof ERROR_TEXT;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_TEXT, code);
}
