/**
 * Where a multi-host chat keeps its shared state in JetStream, and the core NATS subjects its
 * hosts talk on. Every host of one chat uses the same names; nothing here depends on the host.
 *
 * - `CHAT_EVENTS` (`chat.events`): the public events. The stream sequence is the public seq.
 * - `CHAT_NICKS` (`chat.nick.<lower-cased nick>`): one message per claimed nick, naming the host
 *   that holds it. A claim is a publish expecting no message yet on that subject; a release purges
 *   the subject up to the claim's sequence. Nick characters (`A-Z a-z 0-9 _ -`) are all valid in
 *   a subject token.
 * - `CHAT_HOSTS` (`chat.reap.<host>.<incarnation>`): the election among survivors for who
 *   publishes a dead host's LEAVEs: the first to publish on that subject wins.
 * - core NATS: `chat.hosts.heartbeat` (every host's heartbeat), `chat.hosts.roll-call` (a starting
 *   host asks who is there), `chat.host.<name>` (requests to one host: who is here, a DM, a KICK,
 *   is this name taken).
 */
export const EVENTS_STREAM = 'CHAT_EVENTS';
export const EVENTS_SUBJECT = 'chat.events';
export const NICKS_STREAM = 'CHAT_NICKS';
export const NICK_SUBJECTS = 'chat.nick.>';
export const HOSTS_STREAM = 'CHAT_HOSTS';
export const REAP_SUBJECTS = 'chat.reap.>';
export const HEARTBEAT_SUBJECT = 'chat.hosts.heartbeat';
/** Asked by a starting host: every live host answers who it is. */
export const ROLL_CALL_SUBJECT = 'chat.hosts.roll-call';

/** Set on a `LEAVE … host lost`: the incarnation reaped, so a host that was only cut off learns it. */
export const REAPED_HEADER = 'Chat-Reaped';

export function nickSubject(nickKey: string): string {
  return `chat.nick.${nickKey}`;
}

export function reapSubject(host: string, incarnation: string): string {
  return `chat.reap.${host}.${incarnation}`;
}

export function hostSubject(host: string): string {
  return `chat.host.${host}`;
}

/** A node name usable as one subject token: what `--node-name` accepts. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
