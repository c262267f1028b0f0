/**
 * A session on its own, with a recording transport and bus, on fake time: the limits and timers
 * that are impractical to drive over a real socket.
 */
import sinon from 'sinon';
import type { WorkerBus } from '../../src/bus/bus.js';
import type { HubRequest } from '../../src/bus/messages.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { DEFAULT_LIMITS, type SessionLimits } from '../../src/server/limits.js';
import { Session } from '../../src/server/session.js';
import type { Transport } from '../../src/server/transport.js';

/**
 * A transport with a buffer like a socket's: `write` returns false once it holds `highWaterMark`
 * bytes or more, and `take` plays the peer reading, with the drain a socket would emit.
 */
class RecordingTransport implements Transport {
  written = '';
  ended = false;
  destroyed = false;
  paused = false;
  bufferedBytes = 0;
  highWaterMark = Infinity;
  remoteAddress = '127.0.0.1';
  #drain: () => void = () => {};
  #needDrain = false;
  write(data: string | Uint8Array): boolean {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString();
    this.written += text;
    this.bufferedBytes += Buffer.byteLength(text);
    this.#needDrain ||= this.bufferedBytes >= this.highWaterMark;
    return !this.#needDrain;
  }
  get backlogBytes(): number {
    return this.bufferedBytes;
  }
  onDrain(listener: () => void): void {
    this.#drain = listener;
  }
  /** The peer takes everything buffered. */
  take(): void {
    this.bufferedBytes = 0;
    if (!this.#needDrain) return;
    this.#needDrain = false;
    this.#drain();
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  lines(): string[] {
    return this.written.split('\n').filter((line) => line !== '');
  }
}

/** A session with fake timers (restore them with `sinon.restore()`) and the worker's history ring. */
export function sessionHarness(limits: Partial<SessionLimits> = {}, history = new HistoryRing(1000)) {
  const clock = sinon.useFakeTimers({ now: 1_000_000 });
  const transport = new RecordingTransport();
  const requests: HubRequest[] = [];
  const bus: WorkerBus = { request: (request) => requests.push(request) };
  const session = new Session(1, transport, bus, { ...DEFAULT_LIMITS, ...limits }, history);
  const send = (text: string) => {
    session.receive(Buffer.from(text));
  };
  /** The client sends REGISTER and the hub accepts it (enrol, then OK); the requests so far are forgotten. */
  const register = (nick: string) => {
    send(`REGISTER ${nick}\n`);
    session.enrol();
    session.reply(`OK ${nick}\n`);
    requests.length = 0;
  };
  return { clock, transport, requests, session, send, register, history };
}
