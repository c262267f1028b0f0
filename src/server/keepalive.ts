/**
 * Watches a connection for silence: after `interval` ms without a line it asks for a `PING`,
 * after `timeout` ms it gives up. One timer per connection, re-armed only when it fires, so that
 * a busy connection costs nothing per line.
 */
export interface KeepaliveHandlers {
  ping(): void;
  timeout(): void;
}

export class Keepalive {
  readonly #interval: number;
  readonly #timeout: number;
  readonly #handlers: KeepaliveHandlers;
  #lastActivity = Date.now();
  #pinged = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(interval: number, timeout: number, handlers: KeepaliveHandlers) {
    this.#interval = interval;
    this.#timeout = timeout;
    this.#handlers = handlers;
    this.#arm(interval);
  }

  activity(): void {
    this.#lastActivity = Date.now();
    this.#pinged = false;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(this.#check, delay);
    this.#timer.unref();
  }

  #check = (): void => {
    const idle = Date.now() - this.#lastActivity;
    if (idle >= this.#timeout) {
      this.#timer = undefined;
      this.#handlers.timeout();
      return;
    }
    if (idle >= this.#interval) {
      if (!this.#pinged) {
        this.#pinged = true;
        this.#handlers.ping();
      }
      this.#arm(this.#timeout - idle);
      return;
    }
    this.#arm(this.#interval - idle);
  };
}
