/**
 * The per-address limits the hub enforces for the whole server, whatever worker a connection
 * lands on: how many connections one address holds (`--max-clients-per-ip`), how fast it opens
 * new ones (`--connect-rate`, `--connect-burst`: a token bucket, like InspIRCd's connflood), and
 * how many public events it makes (`--ip-rate-limit`, `--ip-rate-burst`). Addresses are the keys
 * of `clientAddress()`: an IPv6 client counts by its /64.
 */
import { TokenBucket } from '../protocol/token-bucket.js';
import { AddressTable } from './address-table.js';
import { checkPositiveInteger, checkPositiveNumber } from '../option-checks.js';

export interface AddressLimitOptions {
  maxClientsPerIp: number;
  /** New connections per second per address, and how many may come at once. */
  connectRate: number;
  connectBurst: number;
  /** Public events (MSG, JOIN, LEAVE, ANNOUNCE) per second per address, and the burst. */
  ipRateLimit: number;
  ipRateBurst: number;
}

/**
 * Friendly to a classroom of ~50 behind one NAT address, each with a console and a browser
 * (100 connections), all reconnecting at once after a restart (a burst of 100 connects, and 100
 * JOINs); 10 public events a second from one address is more than a room of people can read.
 * The README explains them.
 */
export const DEFAULT_ADDRESS_LIMITS: AddressLimitOptions = {
  maxClientsPerIp: 100,
  connectRate: 5,
  connectBurst: 100,
  ipRateLimit: 10,
  ipRateBurst: 100,
};

/** Addresses remembered at most (see AddressTable): far more than a server has clients. */
const MAX_ADDRESSES = 100_000;
const SWEEP_INTERVAL_MS = 10_000;

interface AddressState {
  connections: number;
  connects: TokenBucket;
  events: TokenBucket;
}

/** Why a new connection is refused: the text of its `BYE`. */
export type Refusal = 'too many connections from your address' | 'connecting too fast from your address';

export class AddressLimits {
  readonly options: AddressLimitOptions;
  readonly #table: AddressTable<AddressState>;

  constructor(options: AddressLimitOptions, now: () => number = Date.now) {
    checkPositiveInteger('maxClientsPerIp', options.maxClientsPerIp);
    checkPositiveNumber('connectRate', options.connectRate);
    checkPositiveNumber('connectBurst', options.connectBurst);
    checkPositiveNumber('ipRateLimit', options.ipRateLimit);
    checkPositiveNumber('ipRateBurst', options.ipRateBurst);
    this.options = options;
    this.#table = new AddressTable<AddressState>({
      create: () => ({
        connections: 0,
        connects: new TokenBucket(options.connectRate, options.connectBurst, now),
        events: new TokenBucket(options.ipRateLimit, options.ipRateBurst, now),
      }),
      isIdle: (state) => state.connections === 0 && state.connects.isFull() && state.events.isFull(),
      evictable: (state) => state.connections === 0,
      maxEntries: MAX_ADDRESSES,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
      now,
    });
  }

  /** Addresses remembered now. */
  get size(): number {
    return this.#table.size;
  }

  /** A new connection from `address`: counted and undefined, or the reason it is refused. */
  admit(address: string): Refusal | undefined {
    const state = this.#table.get(address);
    if (state.connections >= this.options.maxClientsPerIp) return 'too many connections from your address';
    if (!state.connects.take()) return 'connecting too fast from your address';
    state.connections++;
    return undefined;
  }

  /** An admitted connection from `address` is gone. */
  release(address: string): void {
    const state = this.#table.peek(address);
    if (state !== undefined && state.connections > 0) state.connections--;
  }

  /** A public event `address` asks for: false when its budget is spent. */
  takeEvent(address: string): boolean {
    return this.#table.get(address).events.take();
  }

  /** A public event that cannot be refused (a LEAVE) still spends the budget, down to nothing. */
  chargeEvent(address: string): void {
    this.#table.get(address).events.take();
  }
}
