/** A hub on the in-process state with a recording bus, a fixed clock and a recording log. */
import { DEFAULT_ADDRESS_LIMITS, type AddressLimitOptions } from '../../src/hub/address-limits.js';
import { MemoryLog } from '../../src/hub/event-log.js';
import { LocalState } from '../../src/hub/local-state.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { Hub } from '../../src/hub/hub.js';
import type { Logger } from '../../src/log.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { RecordingBus } from './recording-bus.js';

const TIME = Date.parse('2026-11-24T11:09:21.123Z');
const ADDRESS = '192.0.2.1';
export const TOKEN = 'correct-horse-battery-staple';

/** The in-memory event log, recording the seq of every event it is given. */
class RecordingLog extends MemoryLog {
  readonly seqs: number[] = [];
  override append(event: PublicEvent): void {
    this.seqs.push(event.seq);
    super.append(event);
  }
}

interface SetupOptions {
  maxClients?: number;
  history?: number;
  addressLimits?: Partial<AddressLimitOptions>;
  /** Nick claims answered later, as the JetStream state answers them. */
  claimsLater?: boolean;
}

export function setup(options: SetupOptions = {}) {
  const bus = new RecordingBus([1, 2]);
  const eventLog = new RecordingLog();
  const published = eventLog.seqs;
  const logged: string[] = [];
  const log: Logger = {
    error: (line) => logged.push(line),
    warn: (line) => logged.push(line),
    info: (line) => logged.push(line),
    debug: () => {},
  };
  const clock = { now: TIME };
  const State = options.claimsLater === true ? SlowClaims : LocalState;
  const state = new State({
    epoch: 'e1',
    lastSeq: 41,
    journal: eventLog,
    log,
    now: () => clock.now,
  });
  const hub = new Hub({
    bus,
    history: new HistoryRing(options.history ?? 100),
    state,
    maxClients: options.maxClients ?? 100,
    addressLimits: { ...DEFAULT_ADDRESS_LIMITS, ...options.addressLimits },
    adminToken: TOKEN,
    log,
    now: () => clock.now,
  });
  void state.start(hub);
  const open = (workerId: number, conn: number, address = ADDRESS) => {
    hub.handle(workerId, { type: 'open', conn, address });
  };
  /** Opens the connection, as its worker does on accept, and registers it. */
  const register = (workerId: number, conn: number, nick: string, address = ADDRESS) => {
    open(workerId, conn, address);
    hub.handle(workerId, { type: 'register', conn, nick });
  };
  return { bus, hub, state, published, logged, clock, open, register };
}

/** `setup()` with alice registered on worker 1 (connection 1) and what that sent forgotten. */
export function withAlice() {
  const parts = setup();
  parts.register(1, 1, 'alice');
  parts.bus.forget();
  return parts;
}

/** The in-process state, except that nick claims are answered later, as JetStream answers them. */
class SlowClaims extends LocalState {
  readonly pending: Array<() => void> = [];
  override claim(_nick: string, done: (claimed: boolean) => void): void {
    this.pending.push(() => {
      done(true);
    });
  }
}

export function answerClaim(state: LocalState): void {
  if (!(state instanceof SlowClaims)) throw new Error('claims are answered at once');
  state.pending.shift()?.();
}
