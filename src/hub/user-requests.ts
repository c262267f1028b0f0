/**
 * The requests only a registered user may make: MSG, and ANNOUNCE and KICK (an operator's),
 * which become public events; DM and KICK, which reach a user of this host or, through the
 * chat-wide state, of another; NICK, which `NickRequests` decides.
 */
import { unhandled, type HubRequest } from '../bus/messages.js';
import { formatDm, formatOk } from '../protocol/wire.js';
import type { AdmittedConnections } from './admitted-connections.js';
import type { ChatState, HubSide } from './chat-state.js';
import type { HubAnswers } from './hub-answers.js';
import type { NickRequests } from './nick-requests.js';
import type { NickRegistry, Seat } from './nick-registry.js';

type UserRequest = Extract<HubRequest, { type: 'msg' | 'announce' | 'dm' | 'kick' | 'nick' }>;

/** What of the hub UserRequests works with. */
interface UserRequestsOptions {
  state: ChatState;
  registry: NickRegistry;
  connections: AdmittedConnections;
  answers: HubAnswers;
  nicks: NickRequests;
  /** This host's users: a DM or a KICK for one of them goes no further. */
  local: Pick<HubSide, 'deliverDm' | 'kickLocal'>;
  now: () => number;
}

export class UserRequests {
  readonly #hub: UserRequestsOptions;

  constructor(hub: UserRequestsOptions) {
    this.#hub = hub;
  }

  /** Answers NOT_REGISTERED or FORBIDDEN here; `done` runs once the request is answered. */
  handle(workerId: number, request: UserRequest, done: () => void): void {
    const { conn } = request;
    const seat = this.#hub.registry.byConnection(workerId, conn);
    if (seat === undefined) {
      this.#hub.answers.fail(workerId, conn, 'NOT_REGISTERED');
      done();
      return;
    }
    const operator = this.#hub.connections.get(workerId, conn)?.operator === true;
    if ((request.type === 'announce' || request.type === 'kick') && !operator) {
      this.#hub.answers.fail(workerId, conn, 'FORBIDDEN');
      done();
      return;
    }
    switch (request.type) {
      case 'msg':
      case 'announce':
        if (!this.#hub.answers.spend(workerId, conn)) break;
        this.#hub.state.publish(
          request.type === 'msg' ? 'MSG' : 'ANNOUNCE',
          request.type === 'msg' ? seat.nick : '',
          request.text,
          (seq) => {
            if (seq === undefined) this.#hub.answers.unavailable(workerId, conn);
            else this.#hub.answers.reply(workerId, conn, formatOk(seq));
            done();
          },
        );
        return;
      case 'dm':
        this.#dm(seat, request.nick, request.text, done);
        return;
      case 'nick':
        this.#hub.nicks.rename(seat, request.nick, done);
        return;
      case 'kick':
        this.#kick(seat, request.nick, request.reason, done);
        return;
      default:
        unhandled(request);
    }
    done();
  }

  #dm(from: Seat, nick: string, text: string, done: () => void): void {
    const line = formatDm(new Date(this.#hub.now()).toISOString(), from.nick, text);
    const answer = (found: boolean | undefined) => {
      this.#hub.answers.found(from, nick, found, formatOk());
      done();
    };
    if (this.#hub.local.deliverDm(nick, line)) answer(true);
    else this.#hub.state.dmElsewhere(nick, line, answer);
  }

  #kick(by: Seat, nick: string, reason: string, done: () => void): void {
    const why = `kicked: ${reason === '' ? `by ${by.nick}` : reason}`;
    const answer = (found: boolean | undefined) => {
      this.#hub.answers.found(by, nick, found, formatOk());
      done();
    };
    const target = this.#hub.registry.byNick(nick);
    if (target === undefined) {
      this.#hub.state.kickElsewhere(nick, why, answer);
    } else if (target === by) {
      // Kicking yourself: the OK must reach you before the BYE, which is the last line you get.
      this.#hub.answers.reply(by.workerId, by.conn, formatOk());
      this.#hub.local.kickLocal(nick, why, done);
    } else {
      this.#hub.local.kickLocal(nick, why, answer);
    }
  }
}
