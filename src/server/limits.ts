/** Every per-connection limit of a worker, with the contract's defaults in one place. */
import { checkObject, checkPositiveInteger, checkPositiveNumber, InvalidOptionError } from '../option-checks.js';

export interface SessionLimits {
  /** Longest accepted line in bytes, without its terminator. */
  maxLine: number;
  /** Token bucket over every non-empty line except PONG: refill per second, and capacity. */
  rateLimit: number;
  rateBurst: number;
  /** Milliseconds of client silence before `PING`, and before `BYE ping timeout`. */
  pingInterval: number;
  pingTimeout: number;
  /** Unsent output bytes above which a connection's commands wait (backpressure). */
  softQueue: number;
  /** Unsent output bytes of one connection beyond which it gets `BYE slow consumer`. */
  maxQueue: number;
  /** Milliseconds a connection has to register before `BYE registration timeout`. */
  registerTimeout: number;
}

export const DEFAULT_LIMITS: SessionLimits = {
  maxLine: 4096,
  rateLimit: 20,
  rateBurst: 40,
  pingInterval: 30_000,
  pingTimeout: 60_000,
  softQueue: 64 * 1024,
  maxQueue: 1024 * 1024,
  registerTimeout: 30_000,
};

/**
 * The limits, checked: each a positive number (whole where it counts bytes), and a ping timeout
 * no shorter than the ping interval (a client would be dropped before it was even asked for a
 * PONG). Throws `InvalidOptionError` naming the limit.
 */
export function checkSessionLimits(limits: unknown): SessionLimits {
  const given = checkObject('limits', limits);
  const checked: SessionLimits = {
    maxLine: checkPositiveInteger('maxLine', given.maxLine),
    rateLimit: checkPositiveNumber('rateLimit', given.rateLimit),
    rateBurst: checkPositiveNumber('rateBurst', given.rateBurst),
    pingInterval: checkPositiveNumber('pingInterval', given.pingInterval),
    pingTimeout: checkPositiveNumber('pingTimeout', given.pingTimeout),
    softQueue: checkPositiveInteger('softQueue', given.softQueue),
    maxQueue: checkPositiveInteger('maxQueue', given.maxQueue),
    registerTimeout: checkPositiveNumber('registerTimeout', given.registerTimeout),
  };
  if (checked.pingTimeout < checked.pingInterval) {
    throw new InvalidOptionError(
      'pingTimeout',
      `(${checked.pingTimeout} ms) must not be shorter than pingInterval (${checked.pingInterval} ms)`,
    );
  }
  return checked;
}
