/**
 * A port the primary binds before anything can serve it: connections that arrive meanwhile wait
 * here, paused, until `serve` says where they go (the supervisor's hand-off), or are closed when
 * the start fails.
 */
import net from 'node:net';
import { listen } from './listen.js';

export class BoundPort {
  readonly server: net.Server;
  /** Connections accepted before `serve`, in their order. */
  readonly #waiting: net.Socket[] = [];
  #accept = (socket: net.Socket): void => {
    this.#waiting.push(socket);
  };

  private constructor() {
    this.server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
      this.#accept(socket);
    });
  }

  /** Listens on `host:port`, chosen by `option`; rejects with the one line `listen` explains a failure with. */
  static async open(host: string, port: number, option: string): Promise<BoundPort> {
    const bound = new BoundPort();
    await listen(bound.server, host, port, option);
    return bound;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** From now on every connection goes to `accept`, those that waited first. */
  serve(accept: (socket: net.Socket) => void): void {
    this.#accept = accept;
    for (const socket of this.#waiting.splice(0)) accept(socket);
  }

  /** The start failed: no more listening, and the connections that waited are closed. */
  abandon(): void {
    this.server.close();
    for (const socket of this.#waiting.splice(0)) socket.destroy();
  }
}
