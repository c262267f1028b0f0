/**
 * The fixed and ramp modes against one target at one worker count: a fresh server, C clients
 * connected and registered (timed), then one window at the fixed rate and/or the ramp.
 */
import { includesMode, type BenchOptions } from './bench-options.js';
import { nowMicros } from './clock.js';
import type { LoadFleet } from './load-fleet.js';
import { measureWindow, waitForJoins, type WaitLimits, type WindowResult } from './measure-window.js';
import { onFreshServer } from './fresh-server.js';
import type { RunningServer, TargetSpec } from './targets.js';

/**
 * The ramp: a step passes with p99 at most `p99LimitMs` and at least `minDelivered` of the
 * deliveries (issue 5's criteria); each rate is `factor` times the last, for `maxSteps` at most.
 */
const RAMP = {
  p99LimitMs: 50,
  minDelivered: 0.98,
  factor: 1.5,
  maxSteps: 14,
};
const WARMUP_S = 1;
/** The setup's registrations, and the JOINs they owe everyone. */
const JOIN_WAIT: WaitLimits = { idleMs: 1_000, limitMs: 15_000 };

interface SetupResult {
  clients: number;
  connected: number;
  registered: number;
  /** Connect (until WELCOME / Socket.IO connect) plus register (until OK / ack) of all clients. */
  setupS: number;
  connectS: number;
  registerS: number;
  /** Until every registered client received every JOIN it is owed. */
  joinsCompleteS: number;
  joinsExpected: number;
  joinsReceived: number;
}

interface RampStep extends WindowResult {
  passed: boolean;
}

interface RampResult {
  steps: RampStep[];
  /** Deliveries/s of the fastest step that passed; 0 if none did. */
  peakDeliveriesPerSecond: number;
  peakRate: number;
  /** The most deliveries/s any step achieved, passing or not. */
  maxDeliveriesPerSecond: number;
}

export interface LoadModesResult {
  setup: SetupResult;
  fixed?: WindowResult;
  ramp?: RampResult;
}

type Progress = (line: string) => void;

export async function runLoadModes(
  target: TargetSpec,
  workers: number,
  fleet: LoadFleet,
  options: BenchOptions,
  log: Progress,
): Promise<LoadModesResult> {
  return onFreshServer(target, workers, fleet, options, async (server) => {
    const setup = await connectClients(server, fleet, options);
    log(`setup ${setup.registered}/${setup.clients} clients in ${setup.setupS.toFixed(2)} s`);
    if (setup.registered < options.clients)
      throw new Error(`only ${setup.registered} of ${options.clients} clients registered\n${server.stderrTail()}`);
    const result: LoadModesResult = { setup };
    const plan = { senders: options.senders, size: options.size };
    // Discarded: lets the JIT and the sockets' buffers settle, as they would in a long-running server.
    await measureWindow(server, fleet, setup.registered, {
      ...plan,
      rate: options.rate,
      durationMs: Math.min(options.durationS, WARMUP_S) * 1000,
    });
    if (includesMode(options, 'fixed')) {
      result.fixed = await measureWindow(server, fleet, setup.registered, {
        ...plan,
        rate: options.rate,
        durationMs: options.durationS * 1000,
      });
      log(`fixed ${describeWindow(result.fixed)}`);
    }
    if (includesMode(options, 'ramp')) result.ramp = await ramp(server, fleet, setup.registered, options, log);
    return result;
  });
}

async function connectClients(server: RunningServer, fleet: LoadFleet, options: BenchOptions): Promise<SetupResult> {
  const startedAt = nowMicros();
  const endpoints = server.ports.map((port) => ({ wire: server.target.wire, host: server.host, port }));
  const connected = await fleet.connect(
    endpoints,
    options.clients,
    options.senders,
    options.sampledPerGenerator,
    options.connectConcurrency,
  );
  const connectedAt = nowMicros();
  const registered = await fleet.register(JOIN_WAIT.limitMs);
  const registeredAt = nowMicros();
  const joins = await waitForJoins(fleet, registered, JOIN_WAIT);
  return {
    clients: options.clients,
    connected,
    registered,
    setupS: (registeredAt - startedAt) / 1e6,
    connectS: (connectedAt - startedAt) / 1e6,
    registerS: (registeredAt - connectedAt) / 1e6,
    joinsCompleteS: (nowMicros() - connectedAt) / 1e6,
    joinsExpected: joins.expected,
    joinsReceived: joins.received,
  };
}

/**
 * Raises the rate by RAMP.factor per step until a step fails the criteria twice in a row (one
 * retry absorbs a stray GC pause); the peak is the fastest passing step. If the first rate fails,
 * the ramp steps down first.
 */
async function ramp(
  server: RunningServer,
  fleet: LoadFleet,
  registered: number,
  options: BenchOptions,
  log: Progress,
): Promise<RampResult> {
  const steps: RampStep[] = [];
  let rate = options.rate;
  let retried = false;
  while (steps.length < RAMP.maxSteps) {
    const window = await measureWindow(server, fleet, registered, {
      senders: options.senders,
      size: options.size,
      rate: Math.round(rate),
      durationMs: options.stepS * 1000,
    });
    const passed =
      window.latency.p99Ms <= RAMP.p99LimitMs &&
      window.deliveredRatio >= RAMP.minDelivered &&
      window.openClients === registered;
    steps.push({ ...window, passed });
    log(`ramp ${passed ? 'pass' : 'FAIL'} ${describeWindow(window)}`);
    if (passed) {
      rate *= RAMP.factor;
      retried = false;
    } else if (!retried && window.openClients === registered) {
      retried = true;
    } else if (!steps.some((step) => step.passed) && window.openClients === registered) {
      // Nothing passed yet: the peak lies below the first rate, so look there.
      rate /= RAMP.factor * RAMP.factor;
      retried = false;
    } else {
      break;
    }
  }
  const passing = steps.filter((step) => step.passed);
  const peak = passing.reduce<RampStep | undefined>(
    (best, step) => (best === undefined || step.deliveriesPerSecond > best.deliveriesPerSecond ? step : best),
    undefined,
  );
  return {
    steps,
    peakDeliveriesPerSecond: peak?.deliveriesPerSecond ?? 0,
    peakRate: peak?.rate ?? 0,
    maxDeliveriesPerSecond: Math.max(0, ...steps.map((step) => step.deliveriesPerSecond)),
  };
}

function describeWindow(window: WindowResult): string {
  return [
    `${window.rate} msg/s:`,
    `${Math.round(window.deliveriesPerSecond)} deliveries/s,`,
    `${(window.deliveredRatio * 100).toFixed(2)} % delivered,`,
    `p99 ${window.latency.p99Ms.toFixed(2)} ms,`,
    `${window.serverCpuMicrosPerDelivery.toFixed(2)} µs CPU/delivery (${Math.round(window.serverSystemShare * 100)} % kernel),`,
    window.deliveriesPerRead === undefined ? '' : `${window.deliveriesPerRead.toFixed(1)} deliveries/read,`,
    `server ${window.serverCores.toFixed(2)} cores, generators ${window.generatorCores.map((cores) => cores.toFixed(2)).join('+')}`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}
