/**
 * Joins the writes of one event-loop turn into one syscall per socket. Under load the primary's
 * batches queue up in the IPC pipe and a worker reads many of them in one poll phase: written as
 * they come, each would cost every client a syscall; corked until the turn ends, each client gets
 * one writev for all of them. At low load a turn holds one batch, and nothing waits any longer.
 */
import type net from 'node:net';
import type { Transport } from './session.js';

export class TurnWriter {
  #corked: net.Socket[] = [];
  #beforeFlush: Array<() => void> = [];
  #scheduled = false;

  /**
   * The socket as a session's transport, its writes held until the end of the turn. Its
   * `writableLength` leaves out what this turn added: the slow-consumer limit is about what a
   * client has failed to take, not about how much one busy turn produced for it.
   */
  transport(socket: net.Socket): Transport {
    let backlog = 0;
    return {
      write: (data) => {
        if (socket.writableCorked === 0) {
          backlog = socket.writableLength;
          socket.cork();
          this.#corked.push(socket);
          this.#schedule();
        }
        return socket.write(data);
      },
      end: () => socket.end(),
      destroy: () => socket.destroy(),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      get writableLength() {
        return socket.writableCorked === 0 ? socket.writableLength : backlog;
      },
    };
  }

  /** Runs `task` at the end of this turn, before the held writes leave; it may write more. */
  beforeFlush(task: () => void): void {
    this.#beforeFlush.push(task);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const tasks = this.#beforeFlush;
    this.#beforeFlush = [];
    for (const task of tasks) task();
    const corked = this.#corked;
    this.#corked = [];
    for (const socket of corked) socket.uncork();
  };
}
