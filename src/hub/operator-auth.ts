/**
 * Decides `AUTH` for the whole server. The token is compared by SHA-256 digest with
 * `timingSafeEqual`, so neither its bytes nor its length leak through timing. Failures are counted
 * per client address across connections and workers: after `FREE_FAILURES` in a row, AUTH from
 * that address is refused outright — right token or not — for a time that doubles with every
 * further failure (1 s, 2 s, 4 s … up to 15 min), as IRC servers make a failed OPER cost the
 * guesser time. A success clears the address's record; an address quiet for an hour is forgotten.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log.js';
import { AddressTable } from './address-table.js';
import type { Connection } from './admitted-connections.js';

/** Failed AUTHs before the connection is closed (the contract's number). */
const MAX_FAILURES_PER_CONNECTION = 3;
/** Failures from one address before AUTH from it is locked out for a while. */
const FREE_FAILURES = 3;
const FIRST_LOCKOUT_MS = 1_000;
const MAX_LOCKOUT_MS = 15 * 60_000;
/** An address's failures are forgotten after this long without one. */
const FORGET_AFTER_MS = 60 * 60_000;
const MAX_ADDRESSES = 100_000;
const SWEEP_INTERVAL_MS = 60_000;

/** The shortest operator token a server accepts: long enough that guessing is hopeless. */
export const MIN_TOKEN_LENGTH = 16;

interface FailureRecord {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/**
 * The verdict on one AUTH; a failure carries the text of its `ERROR AUTH_FAILED`, and whether it
 * was the connection's last strike.
 */
type AuthOutcome = { ok: true } | { ok: false; text: string; close: boolean };

export class OperatorAuth {
  readonly #digest: Buffer | undefined;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #records: AddressTable<FailureRecord>;

  /** `token` empty: the server has no operators and every AUTH fails. */
  constructor(token: string, log: Logger, now: () => number = Date.now) {
    this.#digest = token === '' ? undefined : sha256(token);
    this.#now = now;
    this.#log = log;
    this.#records = new AddressTable<FailureRecord>({
      create: () => ({ failures: 0, lastFailure: 0, lockedUntil: 0 }),
      isIdle: (record) => record.failures === 0 || this.#now() - record.lastFailure >= FORGET_AFTER_MS,
      evictable: () => true,
      maxEntries: MAX_ADDRESSES,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
      now,
    });
  }

  /** Addresses with failures remembered now. */
  get size(): number {
    return this.#records.size;
  }

  /** One AUTH on an admitted connection (made an operator on success); `who` names it for the log. */
  attempt(connection: Connection, token: string, who: string): AuthOutcome {
    // AUTHs pipelined after the third strike: no more guesses, the connection is closing.
    if (connection.authFailures >= MAX_FAILURES_PER_CONNECTION) {
      return { ok: false, text: 'too many failed AUTH attempts', close: false };
    }
    const outcome = this.#check(connection.address, token, who);
    if (outcome.ok) connection.operator = true;
    else connection.authFailures++;
    return outcome.ok ? outcome : { ...outcome, close: connection.authFailures === MAX_FAILURES_PER_CONNECTION };
  }

  #check(address: string, token: string, who: string): { ok: true } | { ok: false; text: string } {
    const now = this.#now();
    const known = this.#records.peek(address);
    if (known !== undefined && now - known.lastFailure >= FORGET_AFTER_MS) {
      known.failures = 0;
      known.lockedUntil = 0;
    }
    if (known !== undefined && known.lockedUntil > now) {
      const retry = `try again in ${Math.ceil((known.lockedUntil - now) / 1000)} s`;
      this.#log.warn(`AUTH refused from ${address} (${who}): locked out after repeated failures, ${retry}`);
      return { ok: false, text: `too many failed AUTH attempts from your address; ${retry}` };
    }
    if (this.#digest !== undefined && timingSafeEqual(sha256(token), this.#digest)) {
      if (known !== undefined) known.failures = 0;
      this.#log.info(`AUTH from ${address} (${who}): operator`);
      return { ok: true };
    }
    const record = this.#records.get(address);
    record.failures++;
    record.lastFailure = now;
    const lockedMs =
      record.failures < FREE_FAILURES
        ? 0
        : Math.min(MAX_LOCKOUT_MS, FIRST_LOCKOUT_MS * 2 ** (record.failures - FREE_FAILURES));
    record.lockedUntil = now + lockedMs;
    const lockout = lockedMs > 0 ? `; AUTH refused from this address for ${lockedMs / 1000} s` : '';
    this.#log.warn(`AUTH failed from ${address} (${who}): failure ${record.failures} from this address${lockout}`);
    return { ok: false, text: this.#digest === undefined ? 'this server has no operators' : 'wrong token' };
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
