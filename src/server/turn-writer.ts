/**
 * Joins the writes of one event-loop turn into one syscall per socket. Under load the primary's
 * batches queue up in the IPC pipe and a worker reads many of them in one poll phase: written as
 * they come, each would cost every client a syscall; corked until the turn ends, each client gets
 * one writev for all of them. At low load a turn holds one batch, and nothing waits any longer.
 * A WebSocket gets the same treatment: a turn's writes leave as one text frame.
 */
import type net from 'node:net';
import type { WebSocket } from 'ws';
import type { Transport } from './transport.js';

/** `WebSocket.OPEN`, as a number: the turn writer does not load `ws` before a WebSocket is served. */
const WS_OPEN = 1;
/** A WebSocket's backlog past this at the start of a turn makes `write` say it is full (as a socket's). */
const WS_HIGH_WATER_MARK = 16 * 1024;

/** A WebSocket session's transport; its orderly end closes with 1000 unless told another code. */
export interface WebSocketTransport extends Transport {
  closeWith(code: number, reason: string): void;
}

export class TurnWriter {
  #corked: net.Socket[] = [];
  /** WebSocket transports holding this turn's frame. */
  #framing: Array<() => void> = [];
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

  /**
   * A WebSocket as a session's transport: what a turn writes leaves as one text frame of whole
   * lines. Its counts are what `ws` has not handed to the kernel yet (`bufferedAmount`); `write`
   * says it is full when the turn began with a backlog past the high-water mark. As a socket
   * owes a `drain` once a write takes it past its high-water mark, whether or not that write was
   * refused, the drain listener is owed one once the backlog and this turn's frame reach the
   * mark, and is called from the send callback that finds the backlog taken: a session waiting
   * for a turn's large output to leave (`--soft-queue`) must hear that it has.
   */
  webSocket(ws: WebSocket, remoteAddress: string): WebSocketTransport {
    let frame: Array<string | Uint8Array> = [];
    let frameSize = 0;
    let close = { code: 1000, reason: '' };
    let backlog = 0;
    let waitingForDrain = false;
    let onDrain: (() => void) | undefined;
    const sent = () => {
      if (!waitingForDrain || ws.bufferedAmount + frameSize >= WS_HIGH_WATER_MARK) return;
      waitingForDrain = false;
      onDrain?.();
    };
    const send = () => {
      if (frame.length === 0) return;
      const data = joinFrame(frame);
      frame = [];
      frameSize = 0;
      if (ws.readyState === WS_OPEN) ws.send(data, { binary: false }, sent);
    };
    return {
      write: (data) => {
        if (frame.push(data) === 1) {
          backlog = ws.bufferedAmount;
          this.#framing.push(send);
          this.#schedule();
        }
        frameSize += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        if (backlog + frameSize >= WS_HIGH_WATER_MARK) waitingForDrain = true;
        return backlog < WS_HIGH_WATER_MARK;
      },
      onDrain: (listener) => {
        onDrain = listener;
      },
      end: () => {
        send();
        ws.close(close.code, close.reason);
      },
      closeWith: (code, reason) => {
        close = { code, reason };
      },
      destroy: () => {
        frame = [];
        frameSize = 0;
        ws.terminate();
      },
      pause: () => {
        ws.pause();
      },
      resume: () => {
        ws.resume();
      },
      get bufferedBytes() {
        return ws.bufferedAmount + frameSize;
      },
      get backlogBytes() {
        return frame.length === 0 ? ws.bufferedAmount : backlog;
      },
      remoteAddress,
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
    const framing = this.#framing;
    this.#framing = [];
    for (const send of framing) send();
    const corked = this.#corked;
    this.#corked = [];
    for (const socket of corked) socket.uncork();
  };
}

/** One frame's data: shared bytes are sent as they are (no copy per client); several writes are joined. */
function joinFrame(parts: ReadonlyArray<string | Uint8Array>): string | Uint8Array {
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return first;
  if (parts.every((part) => typeof part === 'string')) return parts.join('');
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}
