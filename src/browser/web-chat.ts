/**
 * The web client's behaviour, between the page and a `ChatClient` over WebSocket: the join form
 * (a taken or bad nick is explained and asked again), the stream, the "Users" list, the
 * connection state, and the message box, which takes the console client's slash commands
 * through the same parser. Reconnecting and filling the gap are the client library's.
 */
import { ChatClient } from '../client/chat-client.js';
import { ClientClosedError, ServerReplyError } from '../client/errors.js';
import type { ClientState } from '../client/events.js';
import { HELP_LINES, parseInput } from '../client/input-command.js';
import { runCommand, type CommandOutcomes, type ServerCommand } from '../client/run-command.js';
import type { Connector } from '../client/transport.js';
import { isValidNick } from '../protocol/nick.js';
import { ChatLog } from './chat-log.js';
import { UserList } from './user-list.js';

export interface WebChatElements {
  connection: HTMLElement;
  join: HTMLFormElement;
  nick: HTMLInputElement;
  joinError: HTMLElement;
  chat: HTMLElement;
  log: HTMLElement;
  users: HTMLElement;
  userCount: HTMLElement;
  send: HTMLFormElement;
  message: HTMLInputElement;
}

/** A browser left open should outlast a server restart: about a minute of attempts, backing off to 8 s. */
const RETRIES = 12;
const NICK_RULE = '1 to 24 letters, digits, _ or -';

export class WebChat {
  readonly #page: WebChatElements;
  readonly #connector: Connector;
  readonly #log: ChatLog;
  readonly #users: UserList;
  #client: ChatClient | undefined;
  /** The join form's answer, while the client waits for another nick (the first was refused). */
  #answerNick: ((nick: string | undefined) => void) | undefined;
  #toldQueued = false;

  constructor(page: WebChatElements, connector: Connector) {
    this.#page = page;
    this.#connector = connector;
    this.#log = new ChatLog(page.log, () => this.#client?.nick ?? '');
    this.#users = new UserList(page.users, page.userCount);
    page.join.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#join();
    });
    page.send.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = page.message.value;
      page.message.value = '';
      this.#onInput(text);
    });
    this.#showState('idle', 'not connected');
    page.nick.focus();
  }

  /**
   * The join form was sent: the first one connects; while the server waits for another nick (it
   * refused the last), the form answers it on the same connection.
   */
  async #join(): Promise<void> {
    const page = this.#page;
    const nick = page.nick.value.trim();
    if (!isValidNick(nick)) {
      this.#askNick(nick === '' ? `Choose a nick: ${NICK_RULE}.` : `“${nick}” is not a nick: use ${NICK_RULE}.`);
      return;
    }
    page.joinError.textContent = '';
    page.join.inert = true;
    const answer = this.#answerNick;
    if (answer !== undefined) {
      this.#answerNick = undefined;
      answer(nick);
      return;
    }
    const client = new ChatClient({ connector: this.#connector, nick, retries: RETRIES });
    this.#client = client;
    this.#toldQueued = false;
    this.#follow(client);
    try {
      await client.connect({ chooseNick: (refusal, signal) => this.#chooseNick(refusal, signal) });
    } catch (error) {
      this.#client = undefined;
      page.join.inert = false;
      this.#askNick(`Cannot join: ${describe(error)}`);
      return;
    }
    page.join.inert = false;
    page.join.hidden = true;
    page.chat.hidden = false;
    page.message.focus();
    this.#refreshUsers(client);
  }

  /** The server refused the nick: say why, and wait for the form to name another. */
  #chooseNick(refusal: ServerReplyError | undefined, signal: AbortSignal): Promise<string | undefined> {
    const nick = this.#page.nick.value.trim();
    if (refusal === undefined) this.#askNick(`Choose a nick: ${NICK_RULE}.`);
    else if (refusal.code === 'NICK_TAKEN') this.#askNick(`“${nick}” is taken: choose another nick.`);
    else this.#askNick(`“${nick}” is not a nick here: ${refusal.message}.`);
    this.#page.join.inert = false;
    return new Promise((resolve) => {
      this.#answerNick = resolve;
      signal.addEventListener('abort', () => {
        this.#answerNick = undefined;
        resolve(undefined);
      });
    });
  }

  #askNick(reason: string): void {
    const page = this.#page;
    page.join.hidden = false;
    page.joinError.textContent = reason;
    page.nick.focus();
    page.nick.select();
  }

  /** Shows what the client tells, while it is the current one. */
  #follow(client: ChatClient): void {
    const current = () => this.#client === client;
    client.on('connecting', () => {
      if (current()) this.#showState('connecting', client.welcome === undefined ? 'connecting…' : 'reconnecting…');
    });
    client.on('connected', ({ workerId, nick, reconnected }) => {
      if (!current()) return;
      this.#toldQueued = false;
      this.#showState(reconnected ? 'syncing' : 'ready', reconnected ? 'catching up…' : `connected as ${nick}`);
      this.#log.status(`${reconnected ? 'reconnected' : 'connected'} to worker ${workerId} as ${nick}`);
    });
    client.on('disconnected', ({ reason }) => {
      if (current()) this.#log.status(`disconnected: ${reason}`);
    });
    client.on('reconnecting', ({ attempt, attempts, delayMs }) => {
      if (!current() || client.welcome === undefined) return;
      this.#showState(
        'reconnecting',
        `reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt}/${attempts})`,
      );
    });
    client.on('replayed', ({ count, newEpoch, epoch }) => {
      if (!current()) return;
      const replayed = `replayed ${count} event${count === 1 ? '' : 's'}`;
      this.#log.status(newEpoch ? `history was reset (new epoch ${epoch}): old seqs are void; ${replayed}` : replayed);
      this.#showState('ready', `connected as ${client.nick}`);
      this.#refreshUsers(client);
    });
    client.on('gap', ({ after, missing }) => {
      if (current()) this.#log.status(`${missing} events no longer retained (seq ${after + 1}-${after + missing})`);
    });
    client.on('public', (event) => {
      if (!current()) return;
      this.#log.event(event);
      if (event.type === 'JOIN') this.#users.add(event.nick);
      else if (event.type === 'LEAVE') this.#users.remove(event.nick);
    });
    client.on('dm', (dm) => {
      if (current()) this.#log.dmReceived(dm);
    });
    client.on('closed', ({ reason }) => {
      // A failed join is told by the join form.
      if (!current() || client.welcome === undefined) return;
      this.#client = undefined;
      this.#showState('closed', 'not connected');
      if (reason === 'quit') this.#log.status('you left the chat');
      else this.#log.error(`disconnected for good: ${reason}`);
      this.#page.nick.value = client.nick ?? '';
      this.#askNick(reason === 'quit' ? 'Join again?' : `Disconnected: ${reason}. Join again?`);
    });
  }

  #showState(state: ClientState, text: string): void {
    this.#page.connection.dataset.state = state;
    this.#page.connection.textContent = text;
  }

  #refreshUsers(client: ChatClient): void {
    client.users().then(
      (nicks) => {
        if (this.#client === client) this.#users.replace(nicks);
      },
      () => {
        // Not connected any more: the next reconnect asks again.
      },
    );
  }

  #onInput(text: string): void {
    const client = this.#client;
    if (client === undefined) return;
    const command = parseInput(text);
    switch (command.kind) {
      case 'empty':
        return;
      case 'invalid':
        this.#log.error(command.hint);
        this.#giveBack(text);
        return;
      case 'help':
        for (const line of HELP_LINES) this.#log.status(line);
        return;
      case 'quit':
        client.quit(command.reason).catch((error: unknown) => {
          this.#fail(client, error);
          client.close('quit');
        });
        return;
      case 'message':
      case 'dm':
      case 'users':
      case 'history':
      case 'auth':
      case 'announce':
      case 'kick':
      case 'nick':
        this.#submit(client, command, text);
        return;
    }
  }

  #submit(client: ChatClient, command: ServerCommand, text: string): void {
    if (client.state !== 'ready' && !this.#toldQueued) {
      this.#toldQueued = true;
      this.#log.status('not connected: input is queued and sent after the reconnect');
    }
    runCommand(client, command, this.#outcomes).catch((error: unknown) => {
      this.#fail(client, error);
      this.#giveBack(text);
    });
  }

  /**
   * A refused line goes back into the empty message box, to be fixed rather than typed again
   * (the box has no history to recall it from); whatever was typed since is left alone.
   */
  #giveBack(text: string): void {
    if (this.#page.message.value === '') this.#page.message.value = text;
  }

  /** How the outcome of a command looks in the page. */
  readonly #outcomes: CommandOutcomes = {
    status: (text) => {
      this.#log.status(text);
    },
    sentDm: (to, text, time) => {
      this.#log.dmSent(to, text, time);
    },
    users: (nicks) => {
      this.#users.replace(nicks);
    },
    history: (events, count) => {
      for (const event of events) this.#log.event(event);
      this.#log.status(`history: ${count} event${count === 1 ? '' : 's'}`);
    },
  };

  #fail(client: ChatClient, error: unknown): void {
    // After the client closed for good, the reason has been said once already.
    if (error instanceof ClientClosedError && client.state === 'closed') return;
    this.#log.error(describe(error));
  }
}

function describe(error: unknown): string {
  if (error instanceof ServerReplyError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
