/**
 * What a client does on each new connection, between the server's `WELCOME` and being ready:
 * register (again, after a reconnect), restore operator rights, and fill the gap in the public
 * stream — `HISTORY SINCE` the last seq seen, or the last `replayOnNewEpoch` events after a new
 * epoch. The public stream is held meanwhile, so replayed and live events merge in seq order.
 */
import type { Welcome, ReplayedInfo } from './events.js';
import type { PublicStream } from './public-stream.js';
import type { Registration, RegistrationAttempt } from './registration.js';

/** One connection's part in the handshake. */
interface HandshakeSteps extends Pick<RegistrationAttempt, 'isCurrent' | 'sleep'> {
  /** Sends a command on this connection; resolves with its OK data, rejects with its ERROR. */
  ask(verb: string, line: string): Promise<string>;
  /** The server said OK to the REGISTER (operator rights and the replay come after). */
  registered(nick: string): void;
  replayed(info: ReplayedInfo): void;
}

export class Handshake {
  readonly #stream: PublicStream;
  readonly #registration: Registration;
  readonly #replayOnNewEpoch: number;
  /** The epoch of the last server that registered us: the one our seqs belong to. */
  #epoch: string | undefined;
  /** The operator token, sent again after every reconnect. */
  #adminToken: string | undefined;

  constructor(stream: PublicStream, registration: Registration, replayOnNewEpoch: number) {
    this.#stream = stream;
    this.#registration = registration;
    this.#replayOnNewEpoch = replayOnNewEpoch;
  }

  set adminToken(token: string) {
    this.#adminToken = token;
  }

  /** Rejects as the REGISTER does; a failed AUTH only forgets the token. */
  async run(welcome: Welcome, reconnected: boolean, steps: HandshakeSteps): Promise<void> {
    const since = this.#stream.lastSeen;
    // A server behind what we have seen lost its newest history even under the same epoch:
    // our seqs are as void as after a new epoch.
    const newEpoch = reconnected && (this.#epoch !== welcome.epoch || (since !== undefined && welcome.lastSeq < since));
    // Our own JOIN comes before the REGISTER's OK: held, it shows after "connected", not before.
    this.#stream.hold();
    const attempt: RegistrationAttempt = {
      register: async (nick) => {
        await steps.ask('REGISTER', `REGISTER ${nick}`);
      },
      isCurrent: steps.isCurrent,
      sleep: steps.sleep,
    };
    const nick = await this.#registration.register(attempt, reconnected);
    this.#epoch = welcome.epoch;
    steps.registered(nick);
    if (this.#adminToken !== undefined) {
      // A token the server no longer accepts is dropped: the user is told by the FORBIDDEN replies that follow.
      await steps.ask('AUTH', `AUTH ${this.#adminToken}`).catch(() => {
        this.#adminToken = undefined;
      });
    }
    if (reconnected) await this.#replay(newEpoch, since, welcome.epoch, steps);
    else this.#stream.release();
  }

  async #replay(newEpoch: boolean, since: number | undefined, epoch: string, steps: HandshakeSteps): Promise<void> {
    let line: string | undefined;
    if (newEpoch) {
      this.#stream.forget();
      line = `HISTORY ${this.#replayOnNewEpoch}`;
    } else if (since !== undefined) {
      line = `HISTORY SINCE ${since}`;
    }
    // The stream is held already: replayed and live events merge when it lets go.
    if (line !== undefined) await steps.ask('HISTORY', line);
    const summary = this.#stream.release();
    steps.replayed({ count: summary.delivered, missing: summary.missing, newEpoch, epoch });
  }
}
