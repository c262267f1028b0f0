/**
 * Joins the writes of one event-loop turn into one syscall per socket. Under load the primary's
 * batches queue up in the IPC pipe and a worker reads many of them in one poll phase: written as
 * they come, each would cost every client a syscall; corked until the turn ends, each client gets
 * one writev for all of them. At low load a turn holds one batch, and nothing waits any longer.
 */
import type net from 'node:net';
import type { Transport } from './transport.js';

export class TurnWriter {
  #corked: net.Socket[] = [];
  #beforeFlush: Array<() => void> = [];
  #scheduled = false;

  /**
   * The socket as a session's transport, its writes held until the end of the turn. A turn's
   * writes are never split: `write` says the socket is full only when it began the turn with a
   * backlog of its high-water mark (16 KiB) or more, and then the socket's own drain follows.
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
        socket.write(data);
        return backlog < socket.writableHighWaterMark;
      },
      onDrain: (listener) => {
        socket.on('drain', listener);
      },
      end: () => socket.end(),
      destroy: () => socket.destroy(),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      get bufferedBytes() {
        return socket.writableLength;
      },
      get backlogBytes() {
        return socket.writableCorked === 0 ? socket.writableLength : backlog;
      },
      remoteAddress: socket.remoteAddress ?? '',
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
