/**
 * The connections the hub has admitted, per worker: the server-wide `--max-clients`, the
 * per-address limits (AddressLimits), and what the hub knows of each connection.
 */
import { AddressLimits, type AddressLimitOptions, type Refusal } from './address-limits.js';
import { checkPositiveInteger } from '../option-checks.js';

export interface Connection {
  /** Its `clientAddress()`: the key of the per-address limits. */
  address: string;
  /** AUTH succeeded on it. */
  operator: boolean;
  /** Failed AUTHs on it. */
  authFailures: number;
  /** The hub has closed it (KICK, a third failed AUTH, QUIT): what it sent meanwhile changes nothing. */
  closing: boolean;
}

export class AdmittedConnections {
  readonly addresses: AddressLimits;
  readonly #byWorker = new Map<number, Map<number, Connection>>();
  readonly #maxClients: number;
  #count = 0;

  constructor(maxClients: number, limits: AddressLimitOptions, now: () => number) {
    this.#maxClients = checkPositiveInteger('maxClients', maxClients);
    this.addresses = new AddressLimits(limits, now);
  }

  get(workerId: number, conn: number): Connection | undefined {
    return this.#byWorker.get(workerId)?.get(conn);
  }

  /** A new connection: admitted and undefined, or the reason it is refused (the text of its BYE). */
  open(workerId: number, conn: number, address: string): Refusal | 'server full' | undefined {
    let connections = this.#byWorker.get(workerId);
    if (connections?.has(conn) === true) return undefined;
    if (this.#count >= this.#maxClients) return 'server full';
    const refusal = this.addresses.admit(address);
    if (refusal !== undefined) return refusal;
    if (connections === undefined) this.#byWorker.set(workerId, (connections = new Map<number, Connection>()));
    connections.set(conn, { address, operator: false, authFailures: 0, closing: false });
    this.#count++;
    return undefined;
  }

  /** The connection is gone; returns what was known of it (nothing if it was never admitted). */
  close(workerId: number, conn: number): Connection | undefined {
    const connection = this.get(workerId, conn);
    if (connection === undefined) return undefined;
    this.#byWorker.get(workerId)?.delete(conn);
    this.#release(connection);
    return connection;
  }

  /** Spends one public event of the connection's address; false when its budget is spent. */
  takeEvent(workerId: number, conn: number): boolean {
    const connection = this.get(workerId, conn);
    return connection === undefined || this.addresses.takeEvent(connection.address);
  }

  /** A public event that cannot be refused (a LEAVE) still spends what is left of the budget. */
  chargeEvent(workerId: number, conn: number): void {
    const connection = this.get(workerId, conn);
    if (connection !== undefined) this.addresses.chargeEvent(connection.address);
  }

  /** Every admitted connection, as worker id and connection id. */
  *all(): Generator<[number, number]> {
    for (const [workerId, connections] of this.#byWorker) {
      for (const conn of connections.keys()) yield [workerId, conn];
    }
  }

  /** Every connection of the worker is gone. */
  workerLost(workerId: number): void {
    for (const connection of this.#byWorker.get(workerId)?.values() ?? []) this.#release(connection);
    this.#byWorker.delete(workerId);
  }

  #release(connection: Connection): void {
    this.#count--;
    this.addresses.release(connection.address);
  }
}
