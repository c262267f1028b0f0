/**
 * The chat/1 client library: typed commands on top of `ChatSession`, which owns the connection,
 * the reconnect and the public event stream. Used by the console client, the tests and the bench.
 *
 * Commands issued while not connected (or while a reconnect is still catching up) are queued, up
 * to `maxQueued`, and sent in order once the client is registered and caught up again: a user who
 * types during a worker restart loses nothing. Beyond the limit a command is rejected at once with
 * `QueueFullError`. A command already sent when the connection drops is rejected with
 * `ConnectionLostError`, never re-sent: it may have taken effect, and a duplicate MSG is worse.
 *
 * A command answered `ERROR` rejects with `ServerReplyError` (its `code` is the server's).
 */
import { isValidNick } from '../protocol/nick.js';
import type { PublicEvent } from '../protocol/wire.js';
import { ChatSession } from './chat-session.js';
import type { QueuedCommand } from './command-queue.js';
import { ConnectionLostError, InvalidCommandError, ServerReplyError } from './errors.js';
import type { HistoryResult } from './events.js';
import type { HistoryCollector } from './public-stream.js';

export class ChatClient extends ChatSession {
  message(text: string): Promise<number> {
    return this.command('MSG', `MSG ${text}`, parseSeq);
  }

  dm(nick: string, text: string): Promise<void> {
    if (!isValidNick(nick)) return rejectBadNick(nick);
    return this.command('DM', `DM ${nick} ${text}`, () => undefined);
  }

  /**
   * Takes another nick (`NICK`, an extension of chat/1); resolves with it once the server said OK.
   * Everyone sees the old nick leave and the new one join; reconnects register the new one.
   */
  async changeNick(nick: string): Promise<string> {
    if (!isValidNick(nick)) return rejectBadNick(nick);
    const taken = await this.command('NICK', `NICK ${nick}`, (data) => data);
    this.renamed(taken);
    return taken;
  }

  users(): Promise<string[]> {
    return this.command('USERS', 'USERS', (data) =>
      data
        .split(' ')
        .slice(1)
        .filter((nick) => nick !== ''),
    );
  }

  history(last: number): Promise<HistoryResult> {
    if (!(Number.isInteger(last) && last >= 0))
      return Promise.reject(new InvalidCommandError('BAD_ARGS', 'history wants a count >= 0'));
    return this.#historyCommand(`HISTORY ${last}`);
  }

  ping(token = ''): Promise<string> {
    return this.command('PING', token === '' ? 'PING' : `PING ${token}`, (data) => data);
  }

  /** Becomes an operator; the token is remembered and sent again after every reconnect. */
  async auth(token: string): Promise<void> {
    await this.command('AUTH', `AUTH ${token}`, () => undefined);
    this.rememberAdminToken(token);
  }

  announce(text: string): Promise<number> {
    return this.command('ANNOUNCE', `ANNOUNCE ${text}`, parseSeq);
  }

  kick(nick: string, reason = ''): Promise<void> {
    if (!isValidNick(nick)) return rejectBadNick(nick);
    return this.command('KICK', reason === '' ? `KICK ${nick}` : `KICK ${nick} ${reason}`, () => undefined);
  }

  help(): Promise<string[]> {
    return this.command('HELP', 'HELP', (data) => data.split(' ').filter((verb) => verb !== ''));
  }

  /**
   * Leaves cleanly, after every command issued before it (queued ones included) has been sent:
   * resolves once the server has said OK. No reconnect happens after this.
   */
  quit(reason = ''): Promise<void> {
    const done = this.command('QUIT', reason === '' ? 'QUIT' : `QUIT ${reason}`, () => undefined);
    this.markQuitting();
    return done.catch((error: unknown) => {
      // The server closes right after its OK; a close that overtakes the OK is still a clean quit.
      if (!(error instanceof ConnectionLostError)) throw error;
    });
  }

  /** A `HISTORY` command: holds the public stream until its reply, so replayed and live events merge in order. */
  #historyCommand(line: string): Promise<HistoryResult> {
    return new Promise<HistoryResult>((resolve, reject) => {
      const stream = this.publicStream;
      let collector: HistoryCollector | undefined;
      const finish = (): PublicEvent[] => {
        const events = collector === undefined ? [] : stream.stopCollecting(collector);
        stream.release();
        return events;
      };
      const command: QueuedCommand = {
        verb: 'HISTORY',
        line,
        expectsReply: true,
        beforeSend: () => {
          stream.hold();
          collector = stream.startCollecting();
        },
        settle: (reply) => {
          const events = finish();
          if (reply.kind === 'ok') resolve({ count: Number(reply.data), events });
          else reject(new ServerReplyError(reply.code, reply.text));
        },
        fail: reject,
      };
      this.submit(command);
    });
  }
}

function parseSeq(data: string): number {
  return Number(data);
}

function rejectBadNick(nick: string): Promise<never> {
  return Promise.reject(new InvalidCommandError('BAD_NICK', `not a nick: ${JSON.stringify(nick.slice(0, 32))}`));
}
