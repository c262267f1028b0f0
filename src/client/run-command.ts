/**
 * What a typed command does, for the console client and the web client alike: the client
 * library call, and what to tell the user when it succeeds. The screen only decides how it looks.
 * A failure rejects with the library's error, for the caller to show.
 */
import type { PublicEvent } from '../protocol/wire.js';
import type { ChatClient } from './chat-client.js';
import type { InputCommand } from './input-command.js';

/** The commands that go to the server (the others are the screen's own: help, quit, …). */
export type ServerCommand = Exclude<InputCommand, { kind: 'empty' | 'invalid' | 'help' | 'quit' }>;

/** How a screen shows the outcome of a command. */
export interface CommandOutcomes {
  /** A line about the client's own doing (`operator rights granted`). */
  status(text: string): void;
  /** A DM the server accepted. */
  sentDm(to: string, text: string, time: Date): void;
  /** The reply to `/users`. */
  users(nicks: readonly string[]): void;
  /** The events `/history` replayed that were shown live before, and the server's count. */
  history(events: readonly PublicEvent[], count: number): void;
}

export async function runCommand(client: ChatClient, command: ServerCommand, show: CommandOutcomes): Promise<void> {
  switch (command.kind) {
    case 'message':
      await client.message(command.text);
      return;
    case 'dm':
      await client.dm(command.nick, command.text);
      show.sentDm(command.nick, command.text, new Date());
      return;
    case 'users': {
      const users = await client.users();
      show.users(users);
      show.status(`${users.length} user${users.length === 1 ? '' : 's'}: ${users.join(' ')}`);
      return;
    }
    case 'history': {
      const { events, count } = await client.history(command.count);
      show.history(events, count);
      return;
    }
    case 'nick': {
      const before = client.nick;
      const nick = await client.changeNick(command.nick);
      // A change is shown by the public events everyone gets; only no change needs a word.
      if (nick === before) show.status(`you are ${nick} already`);
      return;
    }
    case 'auth':
      await client.auth(command.token);
      show.status('operator rights granted');
      return;
    case 'announce':
      await client.announce(command.text);
      return;
    case 'kick':
      await client.kick(command.nick, command.reason);
      show.status(`kicked ${command.nick}`);
      return;
  }
}
