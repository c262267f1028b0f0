/** Every error code the server may reply with, and the default text that goes with it. */
export const ERROR_TEXT = {
  UNKNOWN_COMMAND: 'unknown command',
  BAD_ARGS: 'wrong arguments',
  TOO_LONG: 'line too long',
  BAD_ENCODING: 'line is not valid UTF-8',
  BAD_TEXT: 'line holds control or invisible characters',
  BAD_NICK: 'nick must be 1-24 of A-Z a-z 0-9 _ -',
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
