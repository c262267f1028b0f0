export const NICK_PATTERN = /^[A-Za-z0-9_-]{1,24}$/;

export function isValidNick(nick: string): boolean {
  return NICK_PATTERN.test(nick);
}

/** The form under which nicks are compared: unique case-insensitively. */
export function nickKey(nick: string): string {
  return nick.toLowerCase();
}

/** The order of `USERS`: lower-cased nick, plain code-point order. */
export function compareNicks(a: string, b: string): number {
  const ka = nickKey(a);
  const kb = nickKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
