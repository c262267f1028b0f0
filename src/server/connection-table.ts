/**
 * A worker's connections: it opens a session for every socket the primary hands over (speaking
 * TLS on it when the server has a certificate), applies the hub's deliveries in order, and
 * drains everything on shutdown or restart.
 * It keeps the last `--history` public events, as they arrive, for its sessions' HISTORY replies.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { WebSocket } from 'ws';
import type { WorkerBus } from '../bus/bus.js';
import { unhandled, type Delivery } from '../bus/messages.js';
import { HistoryRing } from '../hub/history-ring.js';
import type { Logger } from '../log.js';
import { formatWelcome } from '../protocol/wire.js';
import { clientAddress } from './client-address.js';
import type { SessionLimits } from './limits.js';
import { PublicLines } from './public-lines.js';
import { Session } from './session.js';
import type { Transport } from './transport.js';
import { secureServerSocket } from './tls-socket.js';
import { TurnWriter } from './turn-writer.js';

/** How a connection reached us: chat/1 over TCP, or over a WebSocket. */
export type TransportKind = 'tcp' | 'ws';

const LF = 0x0a;
const LF_BYTES = Buffer.from([LF]);

export class ConnectionTable {
  readonly #workerId: number;
  readonly #bus: WorkerBus;
  readonly #limits: SessionLimits;
  readonly #log: Logger;
  readonly #tls: tls.SecureContext | undefined;
  readonly #sessions = new Map<number, Session>();
  /** How to wait, for every open session, until what it was sent has left (see `abandon`). */
  readonly #whenSent = new Map<Session, (sent: () => void) => void>();
  readonly #writer = new TurnWriter();
  readonly #public = new PublicLines(this.#writer);
  readonly #history: HistoryRing;
  readonly #kindOf = new WeakMap<Session, TransportKind>();
  readonly #kinds = new Map<TransportKind, number>();
  /** The parts of a reply too long for one IPC message, per connection, until the last part. */
  readonly #replyParts = new Map<number, string[]>();
  #epoch = '';
  #serving = true;
  #lastSeq = 0;
  /** Lines written to one connection alone (DMs). */
  #deliveredAlone = 0;
  #nextConn = 1;
  #draining: (() => void) | undefined;

  constructor(
    workerId: number,
    bus: WorkerBus,
    limits: SessionLimits,
    history: number,
    log: Logger,
    tls?: tls.SecureContext,
  ) {
    this.#workerId = workerId;
    this.#bus = bus;
    this.#limits = limits;
    this.#history = new HistoryRing(history);
    this.#log = log;
    this.#tls = tls;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Where the seq space stands when this worker joins the cluster. */
  init(epoch: string, lastSeq: number, serving: boolean): void {
    this.#epoch = epoch;
    this.#lastSeq = lastSeq;
    this.#serving = serving;
  }

  /** False while this host is fenced from a multi-host chat: it turns every connection away. */
  get serving(): boolean {
    return this.#serving;
  }

  /** Events retained by the hub when this worker joined, oldest first, before any broadcast. */
  seed(text: string, first: number, last: number): void {
    this.#history.append(text, first, last);
  }

  accept(handed: net.Socket): void {
    const socket: net.Socket = this.#tls === undefined ? handed : secureServerSocket(handed, this.#tls);
    const session = this.#open(this.#writer.transport(socket), 'tcp', `${socket.remoteAddress}:${socket.remotePort}`);
    this.#whenSent.set(session, (sent) => {
      whenSent(socket, sent);
    });
    socket.setNoDelay(true);
    socket.allowHalfOpen = true;
    socket.on('data', (chunk: Buffer) => {
      session.receive(chunk);
    });
    socket.on('end', () => {
      session.endOfInput();
    });
    socket.on('error', (error) => {
      this.#log.debug(`connection ${session.conn}: ${error.message}`);
    });
    socket.on('close', () => {
      this.#forget(session);
    });
    this.#welcome(session, socket.remoteAddress);
    socket.resume();
  }

  /**
   * A chat/1 session over a WebSocket (`GET /ws`): each text frame holds one or more lines, and
   * its end ends the last line. chat/1 is text: a binary frame ends the input, and once the
   * commands before it are answered the connection closes with 1003.
   */
  acceptWebSocket(ws: WebSocket, remoteAddress: string | undefined): void {
    const transport = this.#writer.webSocket(ws, remoteAddress ?? '');
    const session = this.#open(transport, 'ws', remoteAddress ?? 'unknown');
    // A WebSocket's last frames leave at the end of the turn, then its close frame: its close
    // (the peer's answer, or the end of the socket) says they are out.
    this.#whenSent.set(session, (sent) => {
      ws.once('close', sent);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        // Like the end of input on TCP: what was sent before is still answered, then the close.
        transport.closeWith(1003, 'chat/1 takes text frames only');
        session.endOfInput();
        return;
      }
      session.receive(data);
      if (data[data.length - 1] !== LF) session.receive(LF_BYTES);
    });
    ws.on('error', (error) => {
      this.#log.debug(`connection ${session.conn}: ${error.message}`);
    });
    ws.on('close', () => {
      this.#forget(session);
    });
    this.#welcome(session, remoteAddress);
  }

  /** Lines of public events and DMs written to clients so far: an event counts once per recipient. */
  get delivered(): number {
    return this.#public.delivered + this.#deliveredAlone;
  }

  /** Connections open now, by transport. */
  count(kind: TransportKind): number {
    return this.#kinds.get(kind) ?? 0;
  }

  #open(transport: Transport, kind: TransportKind, remote: string): Session {
    const conn = this.#nextConn++;
    const session = new Session(conn, transport, this.#bus, this.#limits, this.#history);
    this.#sessions.set(conn, session);
    this.#kindOf.set(session, kind);
    this.#kinds.set(kind, this.count(kind) + 1);
    this.#log.info(`connection ${conn} from ${remote} (${kind})`);
    return session;
  }

  /** The hub counts the connection under its client's address (per-address limits, WebSocket ones too). */
  #welcome(session: Session, remoteAddress: string | undefined): void {
    session.deliver(formatWelcome(this.#workerId, this.#lastSeq, this.#epoch));
    this.#bus.request({ type: 'open', conn: session.conn, address: clientAddress(remoteAddress) });
    if (this.#draining !== undefined) session.bye('server shutting down', 'disconnected');
  }

  apply(batch: readonly Delivery[]): void {
    for (const delivery of batch) {
      if (delivery.type === 'all') {
        // Broadcasts come in seq order, none missing: the text holds the events after the last one.
        this.#history.append(delivery.text, this.#lastSeq + 1, delivery.seq);
        this.#public.add(delivery.text, delivery.seq - this.#lastSeq);
        this.#lastSeq = delivery.seq;
        continue;
      }
      if (delivery.type === 'serving') {
        this.#serving = delivery.serving;
        continue;
      }
      const session = this.#sessions.get(delivery.conn);
      if (session === undefined) continue;
      this.#public.catchUp(session);
      switch (delivery.type) {
        case 'reply':
          this.#reply(session, delivery.text, delivery.more === true);
          break;
        case 'event':
          this.#deliveredAlone++;
          session.deliver(delivery.text);
          break;
        case 'enrol':
          session.enrol();
          this.#public.enrol(session);
          break;
        case 'drop':
          this.#public.remove(session);
          session.drop(delivery.bye);
          break;
        default:
          unhandled(delivery);
      }
    }
  }

  #reply(session: Session, text: string, more: boolean): void {
    const parts = this.#replyParts.get(session.conn);
    if (more) {
      if (parts === undefined) this.#replyParts.set(session.conn, [text]);
      else parts.push(text);
      return;
    }
    this.#replyParts.delete(session.conn);
    session.reply(parts === undefined ? text : parts.join('') + text);
  }

  /** Says `BYE <reason>` to everyone; `done` runs when the last connection is closed. */
  drain(reason: string, leaveReason: string, done: () => void): void {
    this.#draining = done;
    // The last public lines go before the BYE.
    this.#public.flush();
    for (const session of this.#sessions.values()) session.bye(reason, leaveReason);
    this.#checkDrained();
  }

  /**
   * The primary is gone: says `BYE <reason>` to every connection and ends it. `done` runs once
   * every BYE has left for the kernel, which delivers it, and then the close, even after this
   * process exits; a TCP client's own close is not waited for (nobody could be told of it). A
   * WebSocket's frames leave only at the end of the turn, so its close is waited for (the caller
   * bounds the wait).
   */
  abandon(reason: string, done: () => void): void {
    this.#public.flush();
    let unsent = this.#whenSent.size;
    const sent = () => {
      if (--unsent === 0) done();
    };
    if (unsent === 0) done();
    for (const [session, whenOut] of this.#whenSent) {
      session.bye(reason, 'disconnected');
      whenOut(sent);
    }
  }

  #forget(session: Session): void {
    this.#sessions.delete(session.conn);
    this.#replyParts.delete(session.conn);
    this.#whenSent.delete(session);
    const kind = this.#kindOf.get(session);
    if (kind !== undefined) this.#kinds.set(kind, this.count(kind) - 1);
    this.#kindOf.delete(session);
    this.#public.remove(session);
    const reason = session.closed();
    this.#log.info(`connection ${session.conn} closed (${reason})`);
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#draining === undefined || this.#sessions.size > 0) return;
    const done = this.#draining;
    this.#draining = () => {};
    done();
  }
}

/** Calls `sent` once the socket's last bytes are with the kernel, or it is gone. */
function whenSent(socket: net.Socket, sent: () => void): void {
  if (socket.writableFinished || socket.destroyed) {
    sent();
    return;
  }
  const once = () => {
    socket.off('finish', once);
    socket.off('close', once);
    sent();
  };
  socket.on('finish', once);
  socket.on('close', once);
}
