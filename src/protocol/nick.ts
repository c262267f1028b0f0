const NICK_PATTERN = /^[A-Za-z0-9_-]{1,24}$/;

/** The nick rule in words, for people: "a nick is …", "nick must be …". */
export const NICK_RULE = '1 to 24 characters: letters A-Z a-z, digits 0-9, "_" or "-"';

/** The same rule as `BAD_NICK` states it on the wire, in the contract's words. */
export const NICK_RULE_TERSE = '1-24 of A-Z a-z 0-9 _ -';

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

const NICK_CHANGE_PREFIX = 'nick changed to ';

/**
 * The reason of the `LEAVE` that tells of a `NICK`: `LEAVE <seq> <time> <old> nick changed to <new>`,
 * followed by `JOIN <seq+1> <time> <new>`. A chat/1 client that knows nothing of `NICK` sees a user
 * leave and another join, and its stream of seqs has no gap.
 */
export function nickChangeReason(to: string): string {
  return `${NICK_CHANGE_PREFIX}${to}`;
}

/** The new nick when a `LEAVE` reason tells of a nick change; undefined for every other reason. */
export function nickChangedTo(reason: string): string | undefined {
  if (!reason.startsWith(NICK_CHANGE_PREFIX)) return undefined;
  const to = reason.slice(NICK_CHANGE_PREFIX.length);
  return isValidNick(to) ? to : undefined;
}
