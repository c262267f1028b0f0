/**
 * Where each accepted connection goes: to the ready worker `pickWorker` chooses, or, while none
 * can take it, into a queue it leaves as soon as one can, in order. A connection waits at most
 * `MAX_WAIT_FOR_WORKER_MS`, then is closed: every connection is greeted or closed within 3 s.
 */
import type net from 'node:net';
import type { ListenerKind } from '../bus/messages.js';
import type { WorkerLink } from '../bus/worker-link.js';
import { pickWorker } from './pick-worker.js';

/** Connections kept waiting while no worker is ready (all died at once). */
const MAX_WAITING_SOCKETS = 1_000;
/**
 * How long a connection waits for a worker before it is closed. A worker forked at once is ready
 * well within it; one held back by crash-loop damping is not, and the client is better off told
 * by a close, and reconnecting with its own backoff, than left on a silent connection.
 */
const MAX_WAIT_FOR_WORKER_MS = 2_500;

export class ConnectionHandOff {
  /** The links of the workers that may take a connection now, in rotation order. */
  readonly #candidates: () => readonly WorkerLink[];
  /** Connections waiting for a ready worker, each with the timer that closes it. */
  readonly #waiting = new Map<net.Socket, { port: ListenerKind; timer: NodeJS.Timeout }>();
  /** Where round-robin stands. */
  #next = 0;
  #closed = false;

  constructor(candidates: () => readonly WorkerLink[]) {
    this.#candidates = candidates;
  }

  /** Gives an accepted connection to the next ready worker; `port` says which listener took it. */
  handOff(socket: net.Socket, port: ListenerKind): void {
    socket.on('error', () => {});
    if (this.#closed) {
      socket.destroy();
      return;
    }
    if (this.#tryHandOff(socket, port)) return;
    if (this.#waiting.size >= MAX_WAITING_SOCKETS) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => {
      this.#waiting.delete(socket);
      socket.destroy();
    }, MAX_WAIT_FOR_WORKER_MS);
    this.#waiting.set(socket, { port, timer });
  }

  /** A worker can take connections again: those waiting go now, in their order, each within its deadline. */
  retryWaiting(): void {
    for (const [socket, { port, timer }] of this.#waiting) {
      if (!this.#tryHandOff(socket, port)) return;
      clearTimeout(timer);
      this.#waiting.delete(socket);
    }
  }

  /** The server stops: the connections waiting are closed, and so is every new one. */
  close(): void {
    this.#closed = true;
    for (const [socket, { timer }] of this.#waiting) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.#waiting.clear();
  }

  #tryHandOff(socket: net.Socket, port: ListenerKind): boolean {
    const now = Date.now();
    const candidates = this.#candidates();
    const index = pickWorker(
      candidates.map((link) => link.handOffDelay(now)),
      this.#next,
    );
    const link = index === undefined ? undefined : candidates[index];
    if (index === undefined || link === undefined) return false;
    this.#next = index + 1;
    link.handOff(socket, port);
    return true;
  }
}
