/** Every per-connection limit of a worker, with the contract's defaults in one place. */
export interface SessionLimits {
  /** Longest accepted line in bytes, without its terminator. */
  maxLine: number;
  /** Token bucket over every non-empty line except PONG: refill per second, and capacity. */
  rateLimit: number;
  rateBurst: number;
  /** Milliseconds of client silence before `PING`, and before `BYE ping timeout`. */
  pingInterval: number;
  pingTimeout: number;
  /** Bytes queued for one connection before `BYE slow consumer`. */
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
  maxQueue: 1024 * 1024,
  registerTimeout: 30_000,
};
