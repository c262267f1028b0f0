/**
 * The console client's behaviour, between a `ChatClient` and a `Screen`: shows events and state,
 * turns typed lines into commands, and decides when it is over and with which exit code.
 */
import type { PublicEvent } from '../protocol/index.js';
import type { ChatClient } from './chat-client.js';
import { ClientClosedError, type ServerReplyError } from './errors.js';
import type { NickChooser } from './events.js';
import { displayError, displayPublicEvent, displayReceivedDm, displaySentDm, displayStatus } from './format.js';
import { HELP_LINES, parseInput } from './input-command.js';
import { INPUT_BURST, INPUT_RATE, InputPacer } from './input-pacer.js';
import { completesNickChange } from './nick-change.js';
import { runCommand, type CommandOutcomes } from './run-command.js';
import type { Screen } from './screen.js';
import { createStyle } from './style.js';

export interface ConsoleSessionOptions {
  client: ChatClient;
  screen: Screen;
  adminToken: string | undefined;
  /**
   * Asks the user for a nick (on a terminal): once the server is there when the client has none,
   * and whenever the server refuses the first one. Without it a refusal ends the session.
   */
  askNick?: (signal: AbortSignal) => Promise<string | undefined>;
  /** How long a QUIT on Ctrl-C may take before the connection is simply dropped. */
  quitTimeoutMs?: number;
}

/** Replayed lines are dimmed whole: their own colors would end the dimming early. */
const PLAIN = createStyle(false);

const EXIT_OK = 0;
export const EXIT_FAILURE = 1;

export class ConsoleSession {
  readonly #client: ChatClient;
  readonly #screen: Screen;
  readonly #adminToken: string | undefined;
  readonly #askNick: ((signal: AbortSignal) => Promise<string | undefined>) | undefined;
  readonly #quitTimeoutMs: number;
  readonly #pending = new Set<Promise<unknown>>();
  #userQuit = false;
  #connected = false;
  #toldQueued = false;
  /** The last public event shown: the JOIN that completes a nick change is not shown again. */
  #lastShown: PublicEvent | undefined;
  #ended: Promise<number>;
  #end!: (code: number) => void;

  constructor(options: ConsoleSessionOptions) {
    this.#client = options.client;
    this.#screen = options.screen;
    this.#adminToken = options.adminToken;
    this.#askNick = options.askNick;
    this.#quitTimeoutMs = options.quitTimeoutMs ?? 3_000;
    this.#ended = new Promise<number>((resolve) => {
      this.#end = resolve;
    });
    this.#showClientEvents();
  }

  /** Connects, then reads input until the session ends; resolves with the exit code. Throws when it cannot connect. */
  async run(): Promise<number> {
    // On a terminal readline turns Ctrl-C into its own event; this covers pipes and the connect phase.
    const onSigint = () => {
      this.#interrupt();
    };
    process.on('SIGINT', onSigint);
    try {
      this.#screen.working(`connecting to ${this.#client.options.connector.address}`);
      try {
        await this.#client.connect({ chooseNick: this.#nickChooser() });
      } catch (error) {
        this.#screen.stopWorking();
        this.#screen.close();
        if (this.#userQuit) return EXIT_OK;
        throw error;
      }
      this.#connected = true;
      return await this.#converse();
    } finally {
      process.off('SIGINT', onSigint);
    }
  }

  #nickChooser(): NickChooser | undefined {
    const ask = this.#askNick;
    if (ask === undefined) return undefined;
    return async (refusal: ServerReplyError | undefined, signal: AbortSignal) => {
      this.#screen.stopWorking();
      if (refusal === undefined)
        this.#status(`the server at ${this.#client.options.connector.address} answers; choose your nick`);
      else this.#screen.print(`${displayError(refusal, this.#screen.style)}; choose another nick`);
      const nick = await ask(signal);
      if (nick === undefined) {
        this.#userQuit = true;
        return undefined;
      }
      this.#screen.working(`joining as ${nick}`);
      return nick;
    };
  }

  async #converse(): Promise<number> {
    if (this.#adminToken !== undefined) {
      await this.#client.auth(this.#adminToken).then(
        () => {
          this.#status('operator rights granted');
        },
        (error: unknown) => {
          this.#screen.print(displayError(error, this.#screen.style));
        },
      );
    }
    // Kicked or gone already (during the AUTH): #onClosed has ended the session.
    if (this.#client.state === 'closed') return this.#ended;
    const pacer = new InputPacer({
      line: (text) => {
        this.#onInput(text);
      },
      end: () => {
        this.#quit('');
      },
      pacing: () => {
        this.#screen.notice(
          `input comes faster than the server's rate limit allows: sending it at ${INPUT_RATE} lines/s (bursts of ${INPUT_BURST}), nothing is dropped`,
        );
      },
    });
    this.#screen.readInput({
      line: (text) => {
        pacer.push(text);
      },
      interrupt: () => {
        pacer.stop();
        this.#interrupt();
      },
      end: () => {
        pacer.end();
      },
    });
    return this.#ended;
  }

  #showClientEvents(): void {
    const client = this.#client;
    const screen = this.#screen;
    const style = screen.style;
    client.on('public', (event) => {
      this.#showPublic(event);
    });
    client.on('dm', (dm) => {
      screen.print(displayReceivedDm(dm, style));
    });
    client.on('gap', ({ after, missing }) => {
      this.#status(`${missing} events no longer retained (seq ${after + 1}-${after + missing})`);
    });
    client.on('connected', ({ workerId, nick, reconnected }) => {
      this.#toldQueued = false;
      screen.done(`${reconnected ? 'reconnected' : 'connected'} to worker ${workerId} as ${nick}`);
    });
    client.on('disconnected', ({ reason }) => {
      this.#status(`disconnected: ${reason}`);
    });
    client.on('reconnecting', ({ attempt, attempts, delayMs, reason }) => {
      const what = client.welcome === undefined ? 'connecting' : 'reconnecting';
      // The first attempt after a drop follows the "disconnected" line, which already gave the reason.
      const why = attempt > 1 || client.welcome === undefined ? `; ${reason}` : '';
      screen.working(`${what} in ${(delayMs / 1000).toFixed(1)}s (attempt ${attempt}/${attempts}${why})`);
    });
    client.on('replayed', ({ count, newEpoch, epoch }) => {
      const replayed = `replayed ${count} event${count === 1 ? '' : 's'}`;
      this.#status(newEpoch ? `history was reset (new epoch ${epoch}): old seqs are void; ${replayed}` : replayed);
    });
    client.on('closed', ({ reason }) => {
      this.#onClosed(reason);
    });
  }

  #onInput(text: string): void {
    if (this.#userQuit) return;
    const command = parseInput(text);
    if (command.kind === 'empty') return;
    if (command.kind === 'invalid') {
      this.#screen.print(this.#screen.style.error(`! ${command.hint}`));
      return;
    }
    if (command.kind === 'help') {
      for (const line of HELP_LINES) this.#status(line);
      return;
    }
    if (command.kind === 'quit') {
      this.#quit(command.reason);
      return;
    }
    if (this.#client.state !== 'ready' && !this.#toldQueued) {
      this.#toldQueued = true;
      this.#status('not connected: input is queued and sent after the reconnect');
    }
    this.#track(runCommand(this.#client, command, this.#outcomes));
  }

  /** How the outcome of a command looks on the console. */
  readonly #outcomes: CommandOutcomes = {
    status: (text) => {
      this.#status(text);
    },
    sentDm: (to, text, time) => {
      this.#screen.print(displaySentDm(to, text, time, this.#screen.style));
    },
    users: () => {
      // The status line says it all.
    },
    history: (events) => {
      // Framed and dimmed, as IRC clients show backlog: old lines must not pass for live ones.
      // The frame counts what it holds: replayed events not seen before were shown as live ones.
      const count = events.length;
      this.#status(count === 0 ? 'history: no events' : `history: last ${count} event${count === 1 ? '' : 's'}`);
      let previous: PublicEvent | undefined;
      for (const event of events) {
        if (!completesNickChange(previous, event))
          this.#screen.print(this.#screen.style.dim(displayPublicEvent(event, PLAIN)));
        previous = event;
      }
      if (count > 0) this.#status('end of history');
    },
  };

  /** Prints a public event; a nick change (a LEAVE and a JOIN in a row) shows as one line. */
  #showPublic(event: PublicEvent): void {
    if (!completesNickChange(this.#lastShown, event)) this.#screen.print(displayPublicEvent(event, this.#screen.style));
    this.#lastShown = event;
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // After the session ended, the reason has been said once already.
      if (error instanceof ClientClosedError && this.#client.state === 'closed') return;
      this.#screen.print(displayError(error, this.#screen.style));
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** QUIT after every command typed before it; the session ends once the server said OK and every reply is in. */
  #quit(reason: string): void {
    if (this.#userQuit) return;
    this.#userQuit = true;
    if (this.#client.state === 'closed') return;
    this.#client.quit(reason).then(
      async () => {
        await Promise.allSettled(this.#pending);
        this.#client.close('quit');
      },
      (error: unknown) => {
        if (this.#client.state === 'closed') return;
        this.#screen.print(displayError(error, this.#screen.style));
        this.#client.close('quit failed');
      },
    );
  }

  #interrupt(): void {
    // A second Ctrl-C, or one while not connected, does not wait for anything.
    if (this.#userQuit || this.#client.state !== 'ready') {
      this.#userQuit = true;
      this.#client.close('interrupted');
      return;
    }
    this.#quit('');
    setTimeout(() => {
      this.#client.close('quit timed out');
    }, this.#quitTimeoutMs).unref();
  }

  #onClosed(reason: string): void {
    // A close before connect() resolved is a failed connect(): run() reports it, once.
    if (!this.#connected) return;
    this.#screen.stopWorking();
    if (this.#userQuit) {
      this.#status('quit');
    } else {
      this.#screen.print(this.#screen.style.error(`! disconnected for good: ${reason}`));
    }
    this.#screen.close();
    this.#end(this.#userQuit ? EXIT_OK : EXIT_FAILURE);
  }

  #status(text: string): void {
    this.#screen.print(displayStatus(text, this.#screen.style));
  }
}
