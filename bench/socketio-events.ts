/**
 * The Socket.IO rendering of the chat/1 subset the benchmark uses, typed for both ends:
 * `register` with an ack stands for `REGISTER` → `OK <nick>`, `msg` with an ack for
 * `MSG` → `OK <seq>`, and the `msg`/`join` broadcasts for the `MSG`/`JOIN` events.
 */
interface ChatEvent {
  seq: number;
  time: string;
  nick: string;
}

interface ChatMessage extends ChatEvent {
  text: string;
}

type RegisterReply = { ok: true; nick: string } | { ok: false; error: string };

export interface ServerToClientEvents {
  msg: (message: ChatMessage) => void;
  join: (event: ChatEvent) => void;
}

export interface ClientToServerEvents {
  register: (nick: string, ack: (reply: RegisterReply) => void) => void;
  msg: (text: string, ack: (seq: number) => void) => void;
}

/** Registered sockets join this room; broadcasts go to it, as chat/1 events go only to registered clients. */
export const CHAT_ROOM = 'chat';
