/**
 * REGISTER and NICK in the hub: a nick is claimed chat-wide (`ChatState.claim`), then announced
 * as a public event — a `JOIN`, or for a NICK the old nick's `LEAVE` and the new one's `JOIN` —
 * and only then answered `OK <nick>`. Whatever fails on the way is undone.
 */
import type { HubBus } from '../bus/bus.js';
import { nickChangeReason, nickKey } from '../protocol/nick.js';
import { formatOk } from '../protocol/wire.js';
import type { AdmittedConnections } from './admitted-connections.js';
import type { ChatState } from './chat-state.js';
import type { HubAnswers } from './hub-answers.js';
import type { NickRegistry, Seat } from './nick-registry.js';

/** What of the hub NickRequests works with. */
interface NickRequestsOptions {
  bus: HubBus;
  state: ChatState;
  registry: NickRegistry;
  connections: AdmittedConnections;
  answers: HubAnswers;
  /** Whether a worker is gone: a claim that comes back for one of its connections is undone. */
  workerLost: (workerId: number) => boolean;
}

export class NickRequests {
  readonly #hub: NickRequestsOptions;

  constructor(hub: NickRequestsOptions) {
    this.#hub = hub;
  }

  register(workerId: number, conn: number, nick: string, done: () => void): void {
    const connection = this.#hub.connections.get(workerId, conn);
    const current = this.#hub.registry.byConnection(workerId, conn);
    if (connection === undefined) {
      // Only a connection refused at `open` is unknown here; it is being closed.
      this.#hub.answers.fail(workerId, conn, 'NOT_REGISTERED', 'this connection was refused');
    } else if (current !== undefined) {
      this.#hub.answers.fail(workerId, conn, 'ALREADY_REGISTERED', `you are already ${current.nick}`);
    } else if (this.#hub.registry.byNick(nick) !== undefined) {
      this.#hub.answers.fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
    } else if (this.#hub.answers.spend(workerId, conn)) {
      this.#hub.state.claim(nick, (claimed) => {
        this.#claimed(workerId, conn, nick, claimed, done);
      });
      return;
    }
    done();
  }

  /**
   * `NICK`, told to everyone as a `LEAVE` of the old nick and a `JOIN` of the new one, in a row:
   * two public events, so the stream of every chat/1 client stays gap-free (see nickChangeReason).
   * The new nick is claimed chat-wide first (not when only its case changes: the claim is ours).
   */
  rename(seat: Seat, nick: string, done: () => void): void {
    const { workerId, conn } = seat;
    const old = seat.nick;
    const holder = this.#hub.registry.byNick(nick);
    if (nick === old) {
      this.#hub.answers.reply(workerId, conn, formatOk(nick));
    } else if (holder !== undefined && holder !== seat) {
      this.#hub.answers.fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
    } else if (nickKey(nick) === nickKey(old)) {
      this.#announceRename(seat, nick, done);
      return;
    } else {
      this.#hub.state.claim(nick, (claimed) => {
        if (claimed === true && this.#hub.registry.byNick(nick) === undefined && !this.#hub.workerLost(workerId)) {
          this.#announceRename(seat, nick, done);
          return;
        }
        if (claimed === true) this.#hub.state.unclaim(nick);
        if (claimed === undefined) this.#hub.answers.unavailable(workerId, conn);
        else this.#hub.answers.fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
        done();
      });
      return;
    }
    done();
  }

  /** The chat-wide answer to a REGISTER's claim: the JOIN, or why not. */
  #claimed(workerId: number, conn: number, nick: string, claimed: boolean | undefined, done: () => void): void {
    if (claimed === undefined) {
      this.#hub.answers.unavailable(workerId, conn);
      done();
      return;
    }
    // Lost meanwhile: the connection's worker, or the nick to another user of this host.
    if (!claimed || this.#hub.workerLost(workerId) || this.#hub.registry.byNick(nick) !== undefined) {
      if (claimed) this.#hub.state.unclaim(nick);
      this.#hub.answers.fail(workerId, conn, 'NICK_TAKEN', `nick ${nick} is taken`);
      done();
      return;
    }
    this.#hub.registry.claim(workerId, conn, nick);
    const enrol = () => {
      this.#hub.bus.toWorker(workerId, { type: 'enrol', conn });
    };
    this.#hub.state.publish(
      'JOIN',
      nick,
      '',
      (seq) => {
        if (seq === undefined) {
          this.#hub.registry.release({ workerId, conn, nick });
          this.#hub.state.unclaim(nick);
          this.#hub.answers.unavailable(workerId, conn);
        } else {
          this.#hub.answers.reply(workerId, conn, formatOk(nick));
        }
        done();
      },
      enrol,
    );
  }

  #announceRename(seat: Seat, nick: string, done: () => void): void {
    const { workerId, conn } = seat;
    const old = seat.nick;
    const sameNick = nickKey(nick) === nickKey(old);
    // The JOIN spends the address's budget like a REGISTER; the LEAVE before it is charged.
    if (!this.#hub.answers.spend(workerId, conn)) {
      if (!sameNick) this.#hub.state.unclaim(nick);
      done();
      return;
    }
    this.#hub.registry.rename(seat, nick);
    this.#hub.connections.chargeEvent(workerId, conn);
    this.#hub.state.rename(old, nick, nickChangeReason(nick), (seq) => {
      if (seq === undefined) {
        if (!this.#hub.workerLost(workerId)) this.#hub.registry.rename(seat, old);
        if (!sameNick) this.#hub.state.unclaim(nick);
        this.#hub.answers.unavailable(workerId, conn);
      } else {
        this.#hub.answers.reply(workerId, conn, formatOk(nick));
      }
      done();
    });
  }
}
