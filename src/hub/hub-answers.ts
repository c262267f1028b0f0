/**
 * How the hub answers one connection's request, addressed by worker and connection: `OK`,
 * `ERROR`, `UNAVAILABLE` when the chat-wide state cannot answer, and `RATE_LIMITED` when the
 * address has no public event left to spend.
 */
import type { HubBus } from '../bus/bus.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { formatError } from '../protocol/wire.js';
import type { AdmittedConnections } from './admitted-connections.js';
import type { ChatState } from './chat-state.js';
import type { Seat } from './nick-registry.js';

export class HubAnswers {
  readonly #bus: HubBus;
  readonly #state: Pick<ChatState, 'unavailable'>;
  readonly #connections: AdmittedConnections;

  constructor(bus: HubBus, state: Pick<ChatState, 'unavailable'>, connections: AdmittedConnections) {
    this.#bus = bus;
    this.#state = state;
    this.#connections = connections;
  }

  reply(workerId: number, conn: number, text: string): void {
    this.#bus.toWorker(workerId, { type: 'reply', conn, text });
  }

  fail(workerId: number, conn: number, code: ErrorCode, text?: string): void {
    this.reply(workerId, conn, formatError(code, text));
  }

  unavailable(workerId: number, conn: number): void {
    this.fail(workerId, conn, 'UNAVAILABLE', this.#state.unavailable);
  }

  /** The reply to a command about another user: `ok`, NO_SUCH_NICK, or UNAVAILABLE. */
  found(seat: Seat, nick: string, found: boolean | undefined, ok: string): void {
    if (found === undefined) this.unavailable(seat.workerId, seat.conn);
    else if (found) this.reply(seat.workerId, seat.conn, ok);
    else this.fail(seat.workerId, seat.conn, 'NO_SUCH_NICK', `no such nick ${nick}`);
  }

  /** Spends one public event of the connection's address; answers RATE_LIMITED when none is left. */
  spend(workerId: number, conn: number): boolean {
    if (this.#connections.takeEvent(workerId, conn)) return true;
    const { ipRateLimit } = this.#connections.addresses.options;
    this.fail(workerId, conn, 'RATE_LIMITED', `more than ${ipRateLimit} public events/s from your address, slow down`);
    return false;
  }
}
